/**
 * A job that cannot run as asked (a malformed payload, a mask of the wrong size, an unknown job
 * name). The same request would fail the same way, so the worker never retries it; `message` is one
 * sentence the user can read.
 */
export class JobInputError extends Error {
  override readonly name = 'JobInputError';
}
