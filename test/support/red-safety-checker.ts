// A tiny safety checker with diffusers' contract, built with the project's ONNX builder, for the
// tests that screen pictures (drafts in safety-checker.test.ts, animate and stylize in media-safety.test.ts).
import { OnnxGraphBuilder } from '../../src/onnx/index.js';

/**
 * A safety checker with diffusers' contract that flags a picture when the mean of its red channel
 * (images is NHWC in [0,1]) is above `threshold`. clip_input is read too (times 0), so feeding it the
 * wrong shape would fail the run.
 */
export function redSafetyChecker(threshold: number): Uint8Array {
  const g = new OnnxGraphBuilder('red_safety_checker');
  const clip = g.input('clip_input', 'float', ['batch', 3, 224, 224]);
  const images = g.input('images', 'float', ['batch', 'height', 'width', 3]);
  const red = g.op('Slice', [images, g.constInt64([0]), g.constInt64([1]), g.constInt64([3])]);
  const meanRed = g.op('ReduceMean', [red], { axes: [1, 2, 3], keepdims: 0 });
  const clipTerm = g.op('Mul', [g.op('ReduceMean', [clip], { axes: [1, 2, 3], keepdims: 0 }), g.constFloat([0], [])]);
  const flagged = g.op('Greater', [g.op('Add', [meanRed, clipTerm]), g.constFloat([threshold], [])]);
  g.output(images, 'out_images', 'float', ['batch', 'height', 'width', 3]);
  g.output(flagged, 'has_nsfw_concepts', 'bool', ['batch']);
  return g.serialize();
}
