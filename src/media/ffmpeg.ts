/**
 * The ffmpeg adapter: finds ffmpeg and ffprobe (FFMPEG_PATH / FFPROBE_PATH, else the system's on PATH,
 * else an npm-packaged binary when one is installed), runs ffmpeg through fluent-ffmpeg, and probes
 * media. fluent-ffmpeg spawns the binary with an argument array and no shell; this module only ever
 * hands it arrays, and options go in as separate elements so user text (file names, prompts) can never
 * become a shell string or be split into extra arguments. Runs can be cancelled with an AbortSignal
 * (the process is killed).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { FfmpegMissingError } from './ffmpeg-missing-error.js';

/** Where the two programs are, and how they were found. */
export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
  source: 'config' | 'path' | 'npm';
}

/** The slice of Config this module reads. */
export interface FfmpegSettings {
  FFMPEG_PATH?: string;
  FFPROBE_PATH?: string;
}

function isProgram(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isProgram(candidate)) return candidate;
  }
  return undefined;
}

// npm packages that ship binaries; none is a dependency today, but an operator may add one.
function fromNpm(kind: 'ffmpeg' | 'ffprobe'): string | undefined {
  const require = createRequire(import.meta.url);
  const names = kind === 'ffmpeg' ? ['ffmpeg-static', '@ffmpeg-installer/ffmpeg'] : ['ffprobe-static', '@ffprobe-installer/ffprobe'];
  for (const name of names) {
    try {
      const exported = require(name) as unknown;
      const path = typeof exported === 'string' ? exported : (exported as { path?: unknown } | null)?.path;
      if (typeof path === 'string' && isProgram(path)) return path;
    } catch {
      // not installed
    }
  }
  return undefined;
}

/**
 * Finds ffmpeg and ffprobe. Throws FfmpegMissingError (one sentence) when either is missing or a
 * configured path is not a program.
 * @example const tools = locateFfmpeg(config); // { ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', source: 'path' }
 */
export function locateFfmpeg(settings: FfmpegSettings = {}, env: NodeJS.ProcessEnv = process.env): FfmpegTools {
  for (const [name, value] of [['FFMPEG_PATH', settings.FFMPEG_PATH], ['FFPROBE_PATH', settings.FFPROBE_PATH]] as const) {
    if (value !== undefined && !isProgram(value)) {
      throw new FfmpegMissingError(`${name} is set to ${value}, which is not an executable file: point it at the ${name === 'FFMPEG_PATH' ? 'ffmpeg' : 'ffprobe'} program or unset it.`);
    }
  }
  const find = (kind: 'ffmpeg' | 'ffprobe', configured: string | undefined, sibling?: string) => {
    if (configured) return { path: configured, source: 'config' as const };
    // ffprobe beside a configured ffmpeg belongs to the same build, so prefer it to whatever PATH has.
    if (sibling && isProgram(sibling)) return { path: sibling, source: 'config' as const };
    const system = onPath(kind, env);
    if (system) return { path: system, source: 'path' as const };
    const packaged = fromNpm(kind);
    return packaged ? { path: packaged, source: 'npm' as const } : undefined;
  };
  const mpeg = find('ffmpeg', settings.FFMPEG_PATH);
  const probe = find('ffprobe', settings.FFPROBE_PATH, settings.FFMPEG_PATH ? join(dirname(settings.FFMPEG_PATH), 'ffprobe') : undefined);
  if (!mpeg || !probe) {
    const missing = !mpeg && !probe ? 'ffmpeg and ffprobe were' : !mpeg ? 'ffmpeg was' : 'ffprobe was';
    throw new FfmpegMissingError(
      `${missing} not found: install ffmpeg (for example "apt install ffmpeg") or set FFMPEG_PATH and FFPROBE_PATH to the programs.`,
    );
  }
  return { ffmpeg: mpeg.path, ffprobe: probe.path, source: mpeg.source };
}

/** One ffmpeg run: inputs with their options, one output with its options. */
export interface FfmpegRun {
  inputs: { path: string; options?: string[] }[];
  output: string;
  outputOptions: string[];
  signal?: AbortSignal;
  /** Frames written so far, as ffmpeg reports them. */
  onProgress?: (frames: number) => void;
}

// fluent-ffmpeg splits a lone option string at its space ("-crf 23" -> two arguments); given two or
// more arguments it passes each through untouched, which is what we want for every element.
function options(list: readonly string[]): string[] {
  if (list.length === 1 && /\s/.test(list[0]!)) throw new Error(`ffmpeg option "${list[0]}" must be split into separate arguments`);
  return [...list];
}

/** Runs ffmpeg; resolves when the output is written, rejects with ffmpeg's last error lines. */
export function runFfmpeg(tools: FfmpegTools, run: FfmpegRun): Promise<void> {
  return new Promise((resolve, reject) => {
    if (run.signal?.aborted) return reject(abortReason(run.signal));
    const command = ffmpeg().setFfmpegPath(tools.ffmpeg).setFfprobePath(tools.ffprobe);
    for (const input of run.inputs) {
      command.input(input.path);
      const list = options(input.options ?? []);
      if (list.length > 0) command.inputOptions(...(list as [string]));
    }
    command.output(run.output);
    const out = options(run.outputOptions);
    if (out.length > 0) command.outputOptions(...(out as [string]));
    const onAbort = () => command.kill('SIGKILL');
    run.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (error?: Error) => {
      run.signal?.removeEventListener('abort', onAbort);
      if (run.signal?.aborted) reject(abortReason(run.signal));
      else if (error) reject(new Error(`ffmpeg failed: ${error.message.trim().split('\n').slice(-3).join(' ')}`));
      else resolve();
    };
    if (run.onProgress) command.on('progress', (p: { frames?: number }) => run.onProgress!(p.frames ?? 0));
    command.on('error', (error: Error) => done(error));
    command.on('end', () => done());
    command.run();
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(`cancelled (${String(signal.reason ?? 'aborted')})`);
}

/** What ffprobe says about a media file (the first video stream, if any, and whether audio exists). */
export interface MediaProbe {
  /** ffprobe's container name list, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "gif", "matroska,webm". */
  formatName: string;
  durationSec: number;
  sizeBytes: number;
  /** undefined when the file has no video stream. */
  video?: { codec: string; width: number; height: number; fps: number; pixFmt?: string; frames?: number };
  hasAudio: boolean;
  audioCodec?: string;
}

function rate(text: string | undefined): number {
  if (!text) return 0;
  const [n, d] = text.split('/').map(Number);
  return d ? n! / d : (n ?? 0);
}

/** Probes a media file; rejects with ffprobe's reason when it cannot read it. */
export async function probeMedia(tools: FfmpegTools, path: string): Promise<MediaProbe> {
  const data = await new Promise<ffmpeg.FfprobeData>((resolve, reject) =>
    ffmpeg(path)
      .setFfprobePath(tools.ffprobe)
      .ffprobe((error: Error | null, result: ffmpeg.FfprobeData) =>
        error ? reject(new Error(`ffprobe could not read the file: ${error.message.trim().split('\n').slice(-1)[0]}`)) : resolve(result),
      ),
  );
  const videoStream = data.streams.find((s) => s.codec_type === 'video');
  const audioStream = data.streams.find((s) => s.codec_type === 'audio');
  const duration = Number(data.format.duration ?? videoStream?.duration ?? 0);
  const video = videoStream && {
    codec: videoStream.codec_name ?? 'unknown',
    width: videoStream.width ?? 0,
    height: videoStream.height ?? 0,
    // r_frame_rate is the stream's base rate; GIFs report avg_frame_rate more faithfully.
    fps: rate(videoStream.avg_frame_rate) || rate(videoStream.r_frame_rate),
    pixFmt: videoStream.pix_fmt,
    frames: videoStream.nb_frames && videoStream.nb_frames !== 'N/A' ? Number(videoStream.nb_frames) : undefined,
  };
  return {
    formatName: data.format.format_name ?? 'unknown',
    durationSec: Number.isFinite(duration) ? duration : 0,
    sizeBytes: Number(data.format.size ?? (await stat(path)).size),
    video,
    hasAudio: audioStream !== undefined,
    audioCodec: audioStream?.codec_name,
  };
}
