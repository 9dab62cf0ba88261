/**
 * Thrown by a render whose AbortSignal fired. The engine checks the signal between UNet steps, so a
 * cancel stops within one step; `completedSteps` says how far the render got.
 */
export class RenderCancelled extends Error {
  override readonly name = 'RenderCancelled';

  constructor(readonly completedSteps: number) {
    super(`The render was cancelled after ${completedSteps} step${completedSteps === 1 ? '' : 's'}.`);
  }
}
