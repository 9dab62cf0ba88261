/**
 * The `stylize` job: restyles the clip in the blob store with the payload's style prompt, strength and
 * seed (one seed for every frame) and stores the MP4 with the original audio. Frame consistency of the
 * input and the output is logged with the result so operators can see what the restyle did to it.
 * Every restyled frame goes through the model's safety checker like a draft (payload `safetyCheck`).
 */
import { JobInputError, type JobHandler } from '../../queue/index.js';
import { stylizeClip } from '../stylize.js';
import { asJob, blurredFramesNote, screenedRenderer, toolsFor, type MediaJobDeps } from './media-job-deps.js';

export function stylizeJob(deps: MediaJobDeps): JobHandler<'stylize'> {
  return async (ctx) => {
    const p = ctx.payload;
    const engine = deps.engine;
    if (!engine) throw new JobInputError('No picture model is installed here, so clips cannot be restyled.');
    const tools = toolsFor(deps);
    const input = await ctx.blobs.get(p.sourceKey);
    const tally = { blurred: 0 };
    const result = await asJob(() =>
      stylizeClip(tools, {
        input,
        style: { engine: screenedRenderer(engine, deps, p.safetyCheck, tally), prompt: p.style, seed: p.seed, strength: p.strength, steps: deps.steps, guidance: deps.guidance },
        uploadLimitBytes: deps.uploadLimitBytes,
        signal: ctx.signal,
        onProgress: ({ done, total }) => ctx.reportStep({ step: done, total }),
      }),
    );
    ctx.log.info(
      {
        frames: result.frames,
        size: `${result.width}x${result.height}`,
        consistency: result.consistency,
        img2imgMs: Math.round(result.img2imgMs),
        bytes: result.clip.bytes.length,
        audio: result.clip.probe.hasAudio,
      },
      'stylized clip',
    );
    const note = blurredFramesNote(tally.blurred);
    return { keys: [await ctx.blobs.put(result.clip.bytes, 'mp4')], seeds: [p.seed], ...(note ? { warnings: [note] } : {}) };
  };
}
