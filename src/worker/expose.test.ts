import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/index.js';
import { exposeCore, isProtocolMessage, wrapCore } from './index.js';

describe('exposeCore / wrapCore', () => {
  it('calls a core over a MessageChannel and keeps error classes', async () => {
    const channel = new MessageChannel();
    const core = {
      double: (value: number) => value * 2,
      fail: () => {
        throw new InvalidArgumentError('bad value', { data: { field: 'x' } });
      },
    };
    exposeCore(core, channel.port1);
    const remote = wrapCore<typeof core>(channel.port2);
    expect(await remote.double(21)).toBe(42);
    const error = await (remote.fail() as Promise<unknown>).catch((caught: unknown) => caught);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).data).toEqual({ field: 'x' });
    channel.port1.close();
    channel.port2.close();
  });

  it('ignores messages that are not protocol messages', async () => {
    const channel = new MessageChannel();
    let calls = 0;
    exposeCore({ ping: () => ++calls }, channel.port1);
    const replies: unknown[] = [];
    channel.port2.addEventListener('message', (event) => replies.push(event.data));
    channel.port2.start();
    for (const junk of [null, 42, 'GET', { type: 'APPLY' }, { id: 1, type: 'APPLY', path: ['ping'] }]) {
      channel.port2.postMessage(junk);
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(replies).toEqual([]);
    expect(calls).toBe(0);
    expect(isProtocolMessage({ id: 'a', type: 'APPLY', path: ['ping'], argumentList: [] })).toBe(true);
    channel.port1.close();
    channel.port2.close();
  });
});
