/**
 * Midjourney-style parameters at the end of (or anywhere in) a prompt: `--no x, y` (a negative prompt),
 * `--seed N`, `--chaos 0-100` (how different the drafts are) and `--ar W:H` (REFERENCE §4). They are cut
 * out of the text before weight parsing. Parameters we do not support (`--v 6`, `--stylize 250`, ...) are
 * removed with a warning, so they never reach the text encoder as words. Pure; never throws.
 */

export interface PromptOptions {
  seed?: number;
  /** 0..100, Midjourney's `--chaos`. */
  chaos?: number;
  /** Positive integers, e.g. `--ar 3:2` -> { width: 3, height: 2 }. */
  aspectRatio?: { width: number; height: number };
}

export interface ExtractedParams {
  /** The prompt with every parameter (and its value) removed. */
  text: string;
  /** The `--no` lists joined with ", " ('' when none). */
  negative: string;
  options: PromptOptions;
  warnings: string[];
}

/** `--name` at the start or after whitespace; Compel's `word--` has no whitespace before it. */
const PARAM_RE = /(?<=^|\s)--([A-Za-z][\w-]*)/g;
/** Parameters whose value is a word rather than a number. */
const WORD_VALUED = new Set(['style', 'sref', 'cref', 'p', 'personalize']);
const MAX_SEED = 0xffff_ffff;

interface Found { name: string; start: number; nameEnd: number }

/** Removes `--param value` groups from `text` and reads the ones Taleframe understands. */
export function extractMidjourneyParams(text: string): ExtractedParams {
  const found: Found[] = [...text.matchAll(PARAM_RE)].map((m) => ({
    name: m[1].toLowerCase(), start: m.index!, nameEnd: m.index! + m[0].length,
  }));
  const options: PromptOptions = {};
  const warnings: string[] = [];
  const negatives: string[] = [];
  let kept = '';
  let cursor = 0;
  for (let k = 0; k < found.length; k++) {
    const { name, start, nameEnd } = found[k];
    const limit = k + 1 < found.length ? found[k + 1].start : text.length;
    if (start < cursor) continue;
    kept += text.slice(cursor, start);
    let end: number;
    if (name === 'no') {
      const list = text.slice(nameEnd, limit).trim();
      if (list) negatives.push(list);
      end = limit;
    } else {
      const value = /^\s+(\S+)/.exec(text.slice(nameEnd, limit));
      const raw = value?.[1];
      const takesValue = raw !== undefined && (/^[-+\d.:/]+$/.test(raw) || isKnown(name) || WORD_VALUED.has(name));
      end = takesValue ? nameEnd + value![0].length : nameEnd;
      readParam(name, takesValue ? raw : undefined, options, warnings);
    }
    cursor = end;
  }
  kept += text.slice(cursor);
  return { text: kept, negative: negatives.join(', '), options, warnings };
}

function isKnown(name: string): boolean {
  return name === 'seed' || name === 'chaos' || name === 'c' || name === 'ar' || name === 'aspect';
}

function readParam(name: string, raw: string | undefined, options: PromptOptions, warnings: string[]): void {
  const shown = raw === undefined ? 'nothing' : `"${raw}"`;
  switch (name) {
    case 'seed': {
      const n = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (Number.isSafeInteger(n) && n <= MAX_SEED) options.seed = n;
      else warnings.push(`--seed needs a whole number from 0 to ${MAX_SEED}; ${shown} was ignored.`);
      return;
    }
    case 'chaos':
    case 'c': {
      const n = raw !== undefined && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
      if (Number.isNaN(n)) { warnings.push(`--chaos needs a number from 0 to 100; ${shown} was ignored.`); return; }
      options.chaos = Math.min(100, Math.round(n));
      if (n > 100) warnings.push(`--chaos ${raw} is outside 0..100; used 100.`);
      return;
    }
    case 'ar':
    case 'aspect': {
      const m = raw === undefined ? null : /^(\d{1,4}):(\d{1,4})$/.exec(raw);
      const width = m ? Number(m[1]) : 0;
      const height = m ? Number(m[2]) : 0;
      if (width > 0 && height > 0) options.aspectRatio = { width, height };
      else warnings.push(`--ar needs a ratio of whole numbers like 3:2; ${shown} was ignored.`);
      return;
    }
    default:
      warnings.push(`Midjourney parameter --${name} is not supported here and was ignored.`);
  }
}
