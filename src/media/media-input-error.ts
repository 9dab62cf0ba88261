/**
 * Media a user gave or asked for that cannot be made: a file that is not a video, a clip that is too
 * long or too big, an export that stays over the upload limit at the smallest settings. The same
 * request would fail the same way, so job handlers turn it into a JobInputError (no retries);
 * `message` is one sentence the user can act on.
 */
export class MediaInputError extends Error {
  override readonly name = 'MediaInputError';
}
