/**
 * Runs once before the test files: builds the project's own toy ONNX models when they are missing or
 * out of date, so a fresh clone tests against real ONNX files without downloading anything.
 */
import { ensureToyModels } from '../src/toy-model/index.js';

export default async function setup(): Promise<void> {
  await ensureToyModels('models');
}
