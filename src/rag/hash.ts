import { UnsupportedError } from '../errors/index.js';

const encoder = new TextEncoder();

/** Hex SHA-256 of a text via WebCrypto (browsers, workers, Node ≥ 19). */
export async function sha256Hex(text: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new UnsupportedError(
      'WebCrypto (crypto.subtle) is not available, so content hashes cannot be computed.',
      {
        hint: 'Serve the page over https or localhost (a secure context), or run on Node 20+.',
      },
    );
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', encoder.encode(text)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
