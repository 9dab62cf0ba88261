/**
 * `npm run planner:score [-- --split dev|held-out] [--verbose]`: runs the offline planner on every
 * passage in test/planner-passages/expectations.json and prints character recall and precision,
 * setting recall and scene counts against the ranges an illustrator expects (rules in
 * docs/planner-scores.md). --verbose also prints each passage's cast and scene prompts.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planOffline } from '../src/planner/offline-planner.js';
import { scorePlan, totals, type PassageExpectation, type PassageScore } from '../src/planner/planner-score.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'planner-passages');
const args = process.argv.slice(2);
const split = args.includes('--split') ? args[args.indexOf('--split') + 1] : undefined;
const verbose = args.includes('--verbose');

const { passages } = JSON.parse(readFileSync(join(root, 'expectations.json'), 'utf8')) as { passages: PassageExpectation[] };
const scores: PassageScore[] = [];
for (const expected of passages.filter((p) => !split || p.split === split)) {
  const plan = planOffline({ passage: readFileSync(join(root, expected.file), 'utf8') });
  const score = scorePlan(expected, plan);
  scores.push(score);
  const name = expected.file.replace(/^.*\//, '').replace(/\.txt$/, '');
  if (score.declined) {
    console.log(`${name} [${score.split}]: ${score.declinedCorrectly ? 'declined' : 'NOT declined'} (${expected.language})${verbose && plan.notice ? `\n    ${plan.notice}` : ''}`);
    continue;
  }
  const flags = [
    score.missing.length ? `missing ${score.missing.join(', ')}` : '',
    score.extra.length ? `extra ${score.extra.join(', ')}` : '',
    score.missingSettings.length ? `no setting ${score.missingSettings.join(', ')}` : '',
    score.scenesInRange ? '' : `scenes ${score.scenes} not in ${score.sceneRange.join('-')}`,
  ].filter(Boolean);
  console.log(`${name} [${score.split}]: characters ${score.matchedExpected}/${score.expectedCharacters}, planned ${score.plannedCharacters}, settings ${score.foundSettings}/${score.expectedSettings}, scenes ${score.scenes}${flags.length ? ` — ${flags.join('; ')}` : ''}`);
  if (verbose) {
    for (const c of plan.newCharacters) console.log(`    ${c.name}: ${c.description}`);
    for (const s of plan.scenes) console.log(`    [${s.characters.join(', ')}] ${s.setting} | ${s.prompt}`);
  }
}
const t = totals(scores);
const pct = (x: number) => x.toFixed(2);
console.log(
  `\n${t.passages} passages${split ? ` (${split})` : ''}: character recall ${pct(t.characterRecall)}, precision ${pct(t.characterPrecision)}, ` +
    `setting recall ${pct(t.settingRecall)}, scene count in range ${t.scenesInRange}/${t.passages}, declined ${t.declinedCorrectly}/${t.declinedExpected} non-English`,
);
