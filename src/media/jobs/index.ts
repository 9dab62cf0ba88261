/**
 * The media job handlers for the render worker's registry: animate, stylize and storyboard. A worker
 * merges them with the engine's draft and refine handlers:
 *   handlers: { ...engineHandlers(engine, defaults), ...mediaHandlers({ engine, ffmpeg: config, ... }) }
 */
import type { HandlerRegistry } from '../../queue/index.js';
import { animateJob } from './animate-job.js';
import type { MediaJobDeps } from './media-job-deps.js';
import { storyboardJob } from './storyboard-job.js';
import { stylizeJob } from './stylize-job.js';

export type { MediaJobDeps } from './media-job-deps.js';

/** animate + stylize + storyboard handlers over the shared dependencies. */
export function mediaHandlers(deps: MediaJobDeps): Pick<HandlerRegistry, 'animate' | 'stylize' | 'storyboard'> {
  return { animate: animateJob(deps), stylize: stylizeJob(deps), storyboard: storyboardJob(deps) };
}
