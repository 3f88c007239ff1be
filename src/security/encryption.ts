import { DecryptionError, InvalidArgumentError } from '../errors/index.js';

/** What an encrypted value looks like at rest: structured-cloneable, self-describing. */
export interface EncryptedValue {
  /** Format version. */
  v: 1;
  /** AES-GCM nonce (96 bits), fresh for every value. */
  iv: Uint8Array;
  /** Ciphertext followed by the 128-bit authentication tag. */
  data: ArrayBuffer;
}

export interface Cipher {
  encryptBytes(bytes: Uint8Array): Promise<EncryptedValue>;
  decryptBytes(value: EncryptedValue): Promise<Uint8Array>;
  /** Encrypts any JSON value; `Float32Array` fields survive as such. */
  encryptJSON(value: unknown): Promise<EncryptedValue>;
  decryptJSON<T = unknown>(value: EncryptedValue): Promise<T>;
}

export interface PassphraseKeyOptions {
  /** At least 16 random bytes, stored beside the data (it is not secret). */
  salt: Uint8Array;
  /**
   * PBKDF2-SHA-256 iterations. OWASP's 2023 guidance for PBKDF2-HMAC-SHA256 is 600,000.
   * @default 600000
   */
  iterations?: number;
}

function subtle(): SubtleCrypto {
  const crypto = globalThis.crypto;
  if (!crypto?.subtle) {
    throw new InvalidArgumentError('WebCrypto is not available here.', {
      hint: 'Encryption needs a secure context (https or localhost) or Node 20+.',
    });
  }
  return crypto.subtle;
}

/** A fresh random salt for `deriveKey`. */
export function randomSalt(length = 16): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/**
 * Derives a non-extractable AES-GCM-256 key from a passphrase with PBKDF2-SHA-256. The key can
 * encrypt and decrypt but can never be read back out, even by script on the page.
 */
export async function deriveKey(passphrase: string, options: PassphraseKeyOptions): Promise<CryptoKey> {
  if (!passphrase)
    throw new InvalidArgumentError('The passphrase is empty.', { hint: 'Ask the user for one.' });
  if (options.salt.byteLength < 16) {
    throw new InvalidArgumentError(`The salt has ${options.salt.byteLength} bytes; at least 16 are needed.`, {
      hint: 'Use randomSalt() once and store it with the data.',
    });
  }
  const material = await subtle().importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return subtle().deriveKey(
    {
      name: 'PBKDF2',
      hash: 'SHA-256',
      salt: options.salt as BufferSource,
      iterations: options.iterations ?? 600_000,
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

const typedArrayTag = '\u0000f32';

/** AES-GCM over one key (from `deriveKey`, or a non-extractable `CryptoKey` the app supplies). */
export function createCipher(key: CryptoKey): Cipher {
  if (
    key.algorithm.name !== 'AES-GCM' ||
    !key.usages.includes('encrypt') ||
    !key.usages.includes('decrypt')
  ) {
    throw new InvalidArgumentError('The key must be an AES-GCM key usable for encrypt and decrypt.');
  }
  const cipher: Cipher = {
    async encryptBytes(bytes) {
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
      const data = await subtle().encrypt(
        { name: 'AES-GCM', iv: iv as BufferSource },
        key,
        bytes as BufferSource,
      );
      return { v: 1, iv, data };
    },
    async decryptBytes(value) {
      if (value?.v !== 1 || !(value.iv instanceof Uint8Array) || !(value.data instanceof ArrayBuffer)) {
        throw new DecryptionError('This record is not an encrypted Lumos value.', {
          data: { format: value?.v },
        });
      }
      try {
        return new Uint8Array(
          await subtle().decrypt({ name: 'AES-GCM', iv: value.iv as BufferSource }, key, value.data),
        );
      } catch (cause) {
        throw new DecryptionError('Decryption failed: wrong passphrase or key, or the data was altered.', {
          hint: 'Check the passphrase; stored data has not been changed.',
          cause,
        });
      }
    },
    encryptJSON(value) {
      const json = JSON.stringify(value, (_key, field: unknown) =>
        field instanceof Float32Array ? { [typedArrayTag]: Array.from(field) } : field,
      );
      return cipher.encryptBytes(new TextEncoder().encode(json));
    },
    async decryptJSON<T>(value: EncryptedValue) {
      const json = new TextDecoder().decode(await cipher.decryptBytes(value));
      return JSON.parse(json, (_key, field: unknown) =>
        field && typeof field === 'object' && typedArrayTag in field
          ? Float32Array.from((field as Record<string, number[]>)[typedArrayTag]!)
          : field,
      ) as T;
    },
  };
  return cipher;
}

const verifierText = 'lumos-key-check-v1';

/** An encrypted constant stored beside the data so a wrong passphrase is caught before any read. */
export async function createKeyVerifier(cipher: Cipher): Promise<EncryptedValue> {
  return cipher.encryptBytes(new TextEncoder().encode(verifierText));
}

/** Throws `DecryptionError` when the cipher's key is not the one that made the verifier. */
export async function checkKeyVerifier(cipher: Cipher, verifier: EncryptedValue): Promise<void> {
  const text = new TextDecoder().decode(await cipher.decryptBytes(verifier));
  if (text !== verifierText) throw new DecryptionError('The key verifier does not match.');
}
