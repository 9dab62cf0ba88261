/**
 * Refusal to queue more work for a user or a story that already has its share waiting. `message` is a
 * sentence the bot can show the user as is; `limit` says which cap was hit.
 */
export type QueueLimit = 'user' | 'story';

export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';

  constructor(
    readonly limit: QueueLimit,
    /** How many jobs are already waiting for that user or story. */
    readonly waiting: number,
    readonly max: number,
  ) {
    super(
      limit === 'user'
        ? `You already have ${waiting} renders waiting (the limit is ${max}); wait for one to finish or cancel one.`
        : `This story already has ${waiting} renders waiting (the limit is ${max}); try again when some have finished.`,
    );
  }
}
