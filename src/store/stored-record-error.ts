/**
 * A record in Redis did not match its schema (hand-edited, written by an older version, or
 * truncated). The key is named so an operator can find it; the bot answers with a generic apology.
 */
export class StoredRecordError extends Error {
  override readonly name = 'StoredRecordError';

  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`stored record ${key} is not valid: ${detail}`);
  }
}
