/**
 * A fingerprint of a model folder's build, so cached calibration curves (budget-curves.jsonl) are only
 * reused for the network that measured them. Curves are a property of the weights: after a rebuild
 * (e.g. `npm run models:toy` with a new toy formula) the old records describe a different model, and
 * reusing them makes a recalibration silently measure nothing. The id is a SHA-256 over the bytes of
 * every `<component>/model.onnx` (and external data: optimum's `.onnx_data`, diffusers' `weights.pb`) in
 * the folder, in sorted order; a folder
 * with no ONNX files (a synthetic renderer in tests) gets the id "none".
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** First 16 hex digits of SHA-256 over the folder's ONNX component files (name + bytes). */
export async function modelBuildId(modelDir: string): Promise<string> {
  let entries: string[];
  try {
    entries = (await readdir(modelDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw err;
  }
  const hash = createHash('sha256');
  let files = 0;
  for (const dir of entries) {
    const names = (await readdir(join(modelDir, dir))).filter((n) => n.endsWith('.onnx') || n.endsWith('.onnx_data') || n === 'weights.pb').sort();
    for (const name of names) {
      hash.update(`${dir}/${name}\0`);
      hash.update(await readFile(join(modelDir, dir, name)));
      files++;
    }
  }
  return files === 0 ? 'none' : hash.digest('hex').slice(0, 16);
}
