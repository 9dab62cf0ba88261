/**
 * The calibration prompt set (prompts.txt beside this file: about 300 story-scene prompts written for
 * Taleframe) and its deterministic train / held-out split. A prompt is held out when the FNV-1a hash of
 * its text falls in one fifth of the hash space, so the split does not depend on file order and adding
 * prompts never moves an existing one between the sets, which keeps old calibration curves valid.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Path of the prompt set shipped in the repository. */
export const DEFAULT_PROMPTS_FILE = fileURLToPath(new URL('./prompts.txt', import.meta.url));

export type PromptSplit = 'train' | 'heldout';

/** FNV-1a, 32-bit, over the UTF-16 code units of the text. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The seed a calibration or evaluation renders `prompt` with, from the run's base seed. One seed for
 * every prompt would give every render the same starting noise, and how fast a picture converges
 * depends on its noise as much as on its prompt: the fit would learn one noise draw, and a held-out run
 * with another single seed would judge it on one other draw (storybook: the online rule kept 1.5% of
 * training prompts under 0.90 out of fold, 8.1% of held-out ones with seed 4321).
 */
export function promptSeed(base: number, prompt: string): number {
  return fnv1a32(`${base}\u0000${prompt.trim()}`) % 2 ** 31;
}

/** About 20% of prompts are held out for evaluation. */
export function promptSplit(prompt: string): PromptSplit {
  return fnv1a32(prompt.trim()) % 5 === 0 ? 'heldout' : 'train';
}

/** Prompts of a prompts file: one per line, `#` comments and blank lines skipped, duplicates dropped. */
export function parsePromptList(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || seen.has(line)) continue;
    seen.add(line);
    out.push(line);
  }
  return out;
}

export async function readPromptList(file: string = DEFAULT_PROMPTS_FILE): Promise<string[]> {
  return parsePromptList(await readFile(file, 'utf8'));
}

export interface SplitPrompts {
  train: string[];
  heldout: string[];
}

/**
 * Splits prompts and, when `limit` is given, keeps about `limit` of them in the same train / held-out
 * proportion (at least one held-out prompt when there are any), taking each set in file order.
 */
export function splitPrompts(prompts: readonly string[], limit?: number): SplitPrompts {
  const train = prompts.filter((p) => promptSplit(p) === 'train');
  const heldout = prompts.filter((p) => promptSplit(p) === 'heldout');
  if (limit === undefined || limit >= prompts.length) return { train, heldout };
  const heldCount = heldout.length === 0 ? 0 : Math.max(1, Math.round((limit * heldout.length) / prompts.length));
  return { train: train.slice(0, Math.max(0, limit - heldCount)), heldout: heldout.slice(0, heldCount) };
}
