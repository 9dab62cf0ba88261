/**
 * A blob key that the store does not hold (never written, or the store was wiped).
 */
export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';

  constructor(readonly key: string) {
    super(`The stored file ${key} is missing.`);
  }
}
