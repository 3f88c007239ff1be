import { expect, it } from 'vitest';
import { detectPii } from '../../../src/security/index.js';
import { piiHeldOut, piiSet } from '../../fixtures/security/pii-set.js';

it('detects the labelled PII the same way in Chromium', () => {
  for (const example of [...piiSet, ...piiHeldOut]) {
    const found = detectPii(example.text).map((match) => `${match.kind}:${match.text}`);
    // Same detections as Node (src/security/pii.test.ts measures precision/recall there).
    expect(found.every((item) => example.pii.some((pii) => `${pii.kind}:${pii.value}` === item))).toBe(true);
  }
  expect(detectPii('Mail jane@example.com or call +1 415-555-0132').map((match) => match.kind)).toEqual([
    'email',
    'phone',
  ]);
});
