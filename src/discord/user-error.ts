/**
 * The one error type whose message a Discord user sees. Its `id` comes from one enum, so tests and
 * logs can tell failures apart without matching sentences; anything that is not a UserError is
 * logged and answered with a generic apology (see reply-with-error.ts).
 */
export enum UserErrorId {
  NotInStory = 'not-in-story',
  StoryEnded = 'story-ended',
  NotStoryManager = 'not-story-manager',
  NotAdmin = 'not-admin',
  NoSuchDraft = 'no-such-draft',
  NoSuchPanel = 'no-such-panel',
  DraftNotReady = 'draft-not-ready',
  BadAttachment = 'bad-attachment',
  FileTooLarge = 'file-too-large',
  BadRegion = 'bad-region',
  EmptyRefinement = 'empty-refinement',
  QueueFull = 'queue-full',
  BadInput = 'bad-input',
  WrongChannel = 'wrong-channel',
  UnknownAction = 'unknown-action',
  RedisDown = 'redis-down',
  BlockedWord = 'blocked-word',
  PlannerBusy = 'planner-busy',
  RateLimited = 'rate-limited',
}

export class UserError extends Error {
  override readonly name = 'UserError';

  constructor(
    readonly id: UserErrorId,
    message: string,
    /** What to say where others can read it (a reply to a message), when it must differ from `message`. */
    readonly publicMessage?: string,
  ) {
    super(message);
  }
}
