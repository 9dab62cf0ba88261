/**
 * Splits a passage into sentences with their character offsets and paragraph numbers. Both planners
 * use it: the offline planner groups sentences into scenes, and the LLM planner numbers them so the
 * model can answer with sentence ranges instead of quoting text back (which it may misquote).
 */

export interface Sentence {
  /** Offsets into the passage: text === passage.slice(start, end). */
  start: number;
  end: number;
  text: string;
  /** Paragraph number from 0; paragraphs are separated by blank lines. */
  paragraph: number;
}

const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'vs', 'etc', 'mt', 'capt', 'col', 'gen', 'prof', 'rev']);

/** Sentences in passage order; empty for a passage with no words. */
export function splitSentences(passage: string): Sentence[] {
  const out: Sentence[] = [];
  const paragraphRe = /\S[\s\S]*?(?=\n[ \t]*\n|\s*$)/g;
  let paragraph = 0;
  for (const match of passage.matchAll(paragraphRe)) {
    const base = match.index!;
    for (const [start, end] of sentenceBounds(match[0])) {
      out.push({ start: base + start, end: base + end, text: passage.slice(base + start, base + end), paragraph });
    }
    paragraph++;
  }
  return out;
}

function sentenceBounds(text: string): Array<[number, number]> {
  const bounds: Array<[number, number]> = [];
  const endRe = /[.!?…。！？]+["'”’)\]」』]*/g;
  let start = 0;
  for (const m of text.matchAll(endRe)) {
    const end = m.index! + m[0].length;
    const rest = text.slice(end);
    const next = /^\s+(\S)/.exec(rest);
    // A full-width stop (Chinese, Japanese) ends a sentence without a space or a capital after it.
    const fullWidth = /[。！？]/.test(m[0]);
    if (!fullWidth && rest.trim() !== '' && (!next || !/[\p{Lu}\p{N}"“‘'(]/u.test(next[1]!))) continue;
    const before = /([\p{L}]+)\.$/u.exec(text.slice(start, m.index! + 1));
    if (m[0] === '.' && before && ABBREVIATIONS.has(before[1]!.toLowerCase())) continue;
    pushTrimmed(text, start, end, bounds);
    start = end;
  }
  pushTrimmed(text, start, text.length, bounds);
  return bounds;
}

function pushTrimmed(text: string, start: number, end: number, bounds: Array<[number, number]>): void {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  if (end > start && /[\p{L}\p{N}]/u.test(text.slice(start, end))) bounds.push([start, end]);
}

/** Word count, for sizing scenes. */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}
