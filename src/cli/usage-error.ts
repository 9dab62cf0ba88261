/**
 * A mistake in what a person gave a command-line tool: an option, a file, a value. The CLIs print its
 * message as one sentence and exit with code 2; anything else is an unexpected failure.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
