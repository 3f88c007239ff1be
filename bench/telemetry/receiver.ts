// The OTLP receiver in its own process, so parsing what we send is not charged to our CPU time.
import { startOtlpReceiver } from '../../test/support/otlp-receiver.js';

const receiver = await startOtlpReceiver();
process.send?.({ url: receiver.url });
process.on('message', async (message) => {
  if (message === 'count')
    process.send?.({ count: receiver.spans().length, rejected: receiver.rejected.length });
  if (message === 'close') {
    await receiver.close();
    process.disconnect();
  }
});
