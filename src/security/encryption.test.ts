import { describe, expect, it } from 'vitest';
import { DecryptionError, InvalidArgumentError } from '../errors/index.js';
import { checkKeyVerifier, createCipher, createKeyVerifier, deriveKey, randomSalt } from './encryption.js';

// Low iteration counts keep the unit test fast; the default (600k) is covered by the benchmark.
const iterations = 1_000;

describe('encryption at rest', () => {
  it('round-trips JSON with vectors and bytes, with a fresh IV each time', async () => {
    const salt = randomSalt();
    const cipher = createCipher(await deriveKey('correct horse battery staple', { salt, iterations }));
    const record = { id: 'm1', text: 'hello', vector: new Float32Array([0.25, -1.5, 3]) };
    const first = await cipher.encryptJSON(record);
    const second = await cipher.encryptJSON(record);
    expect(first.iv).not.toEqual(second.iv);
    expect(new TextDecoder().decode(first.data)).not.toContain('hello');
    const back = await cipher.decryptJSON<typeof record>(structuredClone(first));
    expect(back.text).toBe('hello');
    expect(back.vector).toBeInstanceOf(Float32Array);
    expect(Array.from(back.vector)).toEqual([0.25, -1.5, 3]);
    const bytes = new Uint8Array([1, 2, 3, 255]);
    expect(await cipher.decryptBytes(await cipher.encryptBytes(bytes))).toEqual(bytes);
  });

  it('rejects a wrong passphrase with a typed error and leaves the data as it was', async () => {
    const salt = randomSalt();
    const right = createCipher(await deriveKey('right', { salt, iterations }));
    const wrong = createCipher(await deriveKey('wrong', { salt, iterations }));
    const verifier = await createKeyVerifier(right);
    const stored = await right.encryptJSON({ secret: 42 });
    const before = new Uint8Array(stored.data.slice(0));
    await expect(checkKeyVerifier(wrong, verifier)).rejects.toSatisfy(DecryptionError.isInstance);
    await expect(wrong.decryptJSON(stored)).rejects.toSatisfy(DecryptionError.isInstance);
    expect(new Uint8Array(stored.data)).toEqual(before);
    await checkKeyVerifier(right, verifier);
    expect(await right.decryptJSON(stored)).toEqual({ secret: 42 });
  });

  it('detects tampering', async () => {
    const cipher = createCipher(await deriveKey('pw', { salt: randomSalt(), iterations }));
    const stored = await cipher.encryptJSON('payload');
    new Uint8Array(stored.data)[0]! ^= 1;
    await expect(cipher.decryptJSON(stored)).rejects.toSatisfy(DecryptionError.isInstance);
  });

  it('validates its inputs and keeps keys non-extractable', async () => {
    await expect(deriveKey('', { salt: randomSalt(), iterations })).rejects.toSatisfy(
      InvalidArgumentError.isInstance,
    );
    await expect(deriveKey('pw', { salt: new Uint8Array(4), iterations })).rejects.toSatisfy(
      InvalidArgumentError.isInstance,
    );
    const key = await deriveKey('pw', { salt: randomSalt(), iterations });
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });
});
