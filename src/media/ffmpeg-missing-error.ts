/**
 * ffmpeg or ffprobe could not be found (or a configured path is not a program). The worker cannot make
 * any video until an operator fixes it, so `message` is one sentence saying what to install or set.
 */
export class FfmpegMissingError extends Error {
  override readonly name = 'FfmpegMissingError';
}
