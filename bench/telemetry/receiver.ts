// The OTLP receiver in its own process, so parsing what we send is not charged to our CPU time.
// It answers each request as soon as the body has arrived and validates the bodies (JSON.parse +
// the test receiver's collector-strict decoder) when the bench asks for the count: the collector
// shares the machine's 2 cores with the bench, and parsing half a megabyte per batch while the
// measured steps run would charge a collector's work (done on another machine in practice) to the
// traced code. Every span must still have been decoded before the bench reports.
import { createServer } from 'node:http';
import { decodeTraceRequest } from '../../test/support/otlp-receiver.js';

let pending: string[] = [];
let count = 0;
let rejected = 0;

function validate(): void {
  for (const body of pending) {
    try {
      count += decodeTraceRequest(JSON.parse(body)).length;
    } catch {
      rejected++;
    }
  }
  pending = [];
}

const server = createServer((request, response) => {
  // CORS, for the Chromium phase: its page posts from the bench's Vite origin.
  response.setHeader('Access-Control-Allow-Origin', '*');
  if (request.method === 'OPTIONS') {
    response.setHeader('Access-Control-Allow-Headers', '*');
    response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    return void response.writeHead(204).end();
  }
  if (request.method !== 'POST' || request.url !== '/v1/traces') {
    rejected++;
    return void response.writeHead(404).end();
  }
  if (!String(request.headers['content-type']).startsWith('application/json')) {
    rejected++;
    return void response.writeHead(415).end();
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    pending.push(Buffer.concat(chunks).toString('utf8'));
    response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('OTLP receiver did not start');
  process.send?.({ url: `http://127.0.0.1:${address.port}` });
});
process.on('message', (message) => {
  if (message === 'count') {
    validate();
    process.send?.({ count, rejected });
  }
  if (message === 'close') server.close(() => process.disconnect());
});
