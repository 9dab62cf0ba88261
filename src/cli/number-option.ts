/**
 * Reads a numeric command-line option. A value that is not a number (or not whole, or below `min`)
 * is a UsageError naming the option and what was typed, so every CLI words it the same way.
 */
import { UsageError } from './usage-error.js';

export function numberOption(name: string, raw: string | undefined, opts: { integer: boolean; min?: number }): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const belowMin = opts.min !== undefined && value < opts.min;
  if (raw.trim() === '' || !Number.isFinite(value) || (opts.integer && !Number.isInteger(value)) || belowMin) {
    const kind = opts.integer ? 'a whole number' : 'a number';
    throw new UsageError(`--${name} ${JSON.stringify(raw)} is not ${kind}${opts.min === undefined ? '' : ` >= ${opts.min}`}.`);
  }
  return value;
}
