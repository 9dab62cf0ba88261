/**
 * A refusal the playground's web API explains to the member: a status and one sentence the page shows
 * as is (a name already taken by the bot, an option that is missing, a file that is too large).
 */
export class SiteError extends Error {
  override readonly name = 'SiteError';

  constructor(message: string, readonly status = 400) {
    super(message);
  }
}
