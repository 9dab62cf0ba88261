/**
 * The error a model folder raises when it cannot be used: one sentence that names the folder and what
 * is missing or wrong ("models/x has no unet/model.onnx"). The CLI prints it and exits 2; the worker
 * reports it to the bot as a user-facing failure that must not be retried.
 */
export class ModelFolderError extends Error {
  override readonly name = 'ModelFolderError';

  constructor(
    /** The folder as the caller named it. */
    readonly dir: string,
    message: string,
  ) {
    super(message);
  }
}
