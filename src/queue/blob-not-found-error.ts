/**
 * A blob key that the store does not hold (never written, or the store was wiped).
 */
export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';

  constructor(readonly key: string) {
    // The key stays on the error for logs; the sentence is what a member may read.
    super('A picture this needs is no longer stored; draw it again.');
  }
}
