/**
 * `npm run models:toy`: builds (or confirms up to date) every toy model folder under models/ and says
 * what it wrote, then makes sure the toy model's step budgets are calibrated (budget.json). The folders
 * are generated, git-ignored and byte-for-byte reproducible.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCalibrated } from '../src/budget/toy-budget.js';
import { ensureToyModels } from '../src/toy-model/index.js';

const root = process.argv[2] ?? 'models';
const reports = await ensureToyModels(root);
for (const r of reports) {
  if (!r.built) {
    console.log(`${r.dir}: up to date`);
    continue;
  }
  const bytes = r.files.reduce((sum, f) => sum + statSync(join(r.dir, f)).size, 0);
  console.log(`${r.dir}: wrote ${r.files.length} files, ${(bytes / 1e6).toFixed(2)} MB in ${r.ms.toFixed(0)} ms`);
  for (const f of r.files) console.log(`  ${f}`);
}
if (!(await ensureCalibrated(join(root, 'toy'), (line) => console.log(line)))) console.log(`${join(root, 'toy')}: step budgets up to date`);
