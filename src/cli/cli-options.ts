/**
 * Command-line options for the CLIs, read the same way everywhere: an unknown option or a value that
 * is not a number (or not whole, or below `min`) is a UsageError naming the option and what was
 * typed, printed as one sentence with exit code 2.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** node:util parseArgs in strict mode without positionals; its errors become one-line UsageErrors. */
export function parseOptions<const O extends OptionSpec>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new UsageError((error instanceof Error ? error.message : String(error)).split('\n')[0]!);
  }
}

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
