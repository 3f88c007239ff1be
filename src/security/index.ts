export { type DeleteResourceOptions, deleteResource } from './delete-resource.js';
export {
  createEncryptedStorage,
  type EncryptionKeySource,
  encryptionNamespace,
} from './encrypted-storage.js';
export { EncryptedVectorPersistence } from './encrypted-vector-persistence.js';
export {
  type Cipher,
  checkKeyVerifier,
  createCipher,
  createKeyVerifier,
  deriveKey,
  type EncryptedValue,
  type PassphraseKeyOptions,
  randomSalt,
} from './encryption.js';
export { escapeHtml, renderMarkdown, safeUrl } from './markdown.js';
export {
  createPiiRedactor,
  defaultPiiPatterns,
  detectPii,
  type PiiKind,
  type PiiMatch,
  type PiiPattern,
  type PiiRedactor,
  type PiiRedactorOptions,
  type RedactionResult,
  withPiiRedaction,
} from './pii.js';
