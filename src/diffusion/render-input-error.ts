/**
 * A render request that cannot run as asked: one sentence naming the argument and its value
 * ("height 500 is not a multiple of 8"). Never retried: the same request fails the same way.
 */
export class RenderInputError extends Error {
  override readonly name = 'RenderInputError';

  constructor(
    /** The RenderRequest field at fault, e.g. "height". */
    readonly argument: string,
    message: string,
  ) {
    super(message);
  }
}
