/**
 * The `animate` job. One panel with a camera move becomes a short clip (MP4 plus a GIF preview, or a
 * GIF / WebP alone); several panels, or the 'ken-burns' / 'crossfade' motions, become a captionless
 * slideshow of the panels. The img2img detail pass runs when the payload carries a prompt (see
 * detailFields) and the worker has a model; otherwise the camera moves over the panel as it is. The
 * keyframes the model redraws go through its safety checker like drafts (payload `safetyCheck`).
 */
import { CAMERA_MOTIONS, type CameraMotion } from '../../core/camera-motion.js';
import type { AnimatePayload, JobHandler } from '../../queue/index.js';
import { animatePanel, type DetailPass } from '../animate.js';
import type { ClipFormat } from '../encode-clip.js';
import { storyboardSlideshow } from '../storyboard-slideshow.js';
import { asJob, blurredFramesNote, screenedRenderer, seedFromKey, toolsFor, type MediaJobDeps } from './media-job-deps.js';

function isCameraMotion(motion: string): motion is CameraMotion {
  return (CAMERA_MOTIONS as readonly string[]).includes(motion);
}

export function animateJob(deps: MediaJobDeps): JobHandler<'animate'> {
  return async (ctx) => {
    const p = ctx.payload;
    const tools = toolsFor(deps);
    const panels = await Promise.all(p.panelKeys.map((key) => ctx.blobs.get(key)));
    const report = ({ done, total }: { done: number; total: number }) => ctx.reportStep({ step: done, total });
    const keys: string[] = [];

    const motion = p.motion;
    if (panels.length === 1 && isCameraMotion(motion)) {
      const tally = { blurred: 0 };
      const detail: DetailPass | undefined =
        deps.engine && p.prompt
          ? {
              engine: screenedRenderer(deps.engine, deps, p.safetyCheck, tally),
              prompt: p.prompt,
              negativePrompt: p.negative,
              seed: p.seed ?? seedFromKey(p.panelKeys[0]!),
              strength: p.strength,
              steps: deps.steps,
              guidance: deps.guidance,
            }
          : undefined;
      const formats: ClipFormat[] = p.format === 'mp4' ? ['mp4', 'gif'] : [p.format];
      const result = await asJob(() =>
        animatePanel(tools, {
          panelPng: panels[0]!,
          motion,
          seconds: p.seconds,
          fps: p.fps,
          detail,
          formats,
          uploadLimitBytes: deps.uploadLimitBytes,
          signal: ctx.signal,
          onProgress: report,
        }),
      );
      for (const clip of result.clips) keys.push(await ctx.blobs.put(clip.bytes, clip.format));
      ctx.log.info(
        { frames: result.frames, keyframes: result.keyframes, img2imgMs: Math.round(result.img2imgMs), consistency: result.consistency, bytes: result.clips.map((c) => c.bytes.length) },
        'animated panel',
      );
      const warnings = [blurredFramesNote(tally.blurred)].filter((w): w is string => w !== undefined);
      if (!detail && p.prompt && !deps.engine) warnings.push('No picture model is installed here, so the camera moved over the panel without redrawing detail.');
      return warnings.length > 0 ? { keys, warnings } : { keys };
    }

    // Several panels (or an explicit slideshow motion): each panel holds for its share of the time.
    const fade = p.motion === 'crossfade' || panels.length > 1 ? 0.5 : 0;
    const hold = (p.seconds + (panels.length - 1) * fade) / panels.length;
    const show = await asJob(() =>
      storyboardSlideshow(
        tools,
        panels.map((png) => ({ png, caption: '' })),
        {
          secondsPerPanel: hold,
          fadeSeconds: fade,
          fps: p.fps,
          motion: motion === 'crossfade' ? 'still' : isCameraMotion(motion) ? motion : 'ken-burns',
          captions: false,
          format: p.format,
          uploadLimitBytes: deps.uploadLimitBytes,
          signal: ctx.signal,
          onProgress: report,
        },
      ),
    );
    keys.push(await ctx.blobs.put(show.clip.bytes, show.clip.format));
    return { keys };
  };
}
