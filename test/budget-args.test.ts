/** Command-line options of budget:calibrate and budget:eval: typed values, and one sentence for a mistake. */
import { describe, expect, it } from 'vitest';
import { parseBudgetArgs } from '../src/cli/budget-args.js';
import { UsageError } from '../src/cli/usage-error.js';

describe('parseBudgetArgs', () => {
  it('reads the evaluation seeds and the calibration part files', () => {
    expect(parseBudgetArgs(['--model', 'm', '--seed', '4321', '--seeds', '2'])).toMatchObject({ model: 'm', seed: 4321, seeds: 2 });
    expect(parseBudgetArgs(['--curves', '/tmp/a.jsonl', '--out', '/tmp/a.json'])).toMatchObject({ curves: '/tmp/a.jsonl', out: '/tmp/a.json' });
    expect(parseBudgetArgs([]).seeds).toBeUndefined();
  });

  it('answers a bad seed count with one sentence naming the option', () => {
    for (const bad of ['0', '1.5', 'two']) {
      expect(() => parseBudgetArgs(['--seeds', bad])).toThrow(UsageError);
      expect(() => parseBudgetArgs(['--seeds', bad])).toThrow(/^--seeds "[^"]+" is not a whole number >= 1\.$/);
    }
  });
});
