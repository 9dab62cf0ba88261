/**
 * The span side of weighted prompts: turning the parser's flat pieces into chunks of merged
 * `{text, weight}` spans (Midjourney segment weights, BREAK chunks, clamping, whitespace at chunk edges),
 * and the way back: the canonical A1111 form (`formatWeightedPrompt`) and weight-free text (`plainText`,
 * for captions and token counts). Pure.
 */

/** A run of prompt text whose tokens all carry `weight`. */
export interface WeightedSpan { text: string; weight: number }

/** Weights are clamped here: beyond it CLIP embeddings leave the range the UNet was trained on. */
export const WEIGHT_RANGE: readonly [min: number, max: number] = [-2, 3];

/** What the scanner emits: text with a running weight, BREAK, and Midjourney `::` segment ends. */
export type Piece =
  | { kind: 'text'; text: string; weight: number }
  | { kind: 'break' }
  | { kind: 'segment'; weight: number | null };

const round6 = (w: number) => Math.round(w * 1e6) / 1e6 + 0; // "+ 0" turns -0 into 0

/** Clamps an explicit weight into WEIGHT_RANGE, warning when it had to. */
export function clampWeight(value: number, warnings: string[]): number {
  const [min, max] = WEIGHT_RANGE;
  if (value >= min && value <= max) return value;
  const used = value < min ? min : max;
  warnings.push(`The weight ${value} is outside ${min}..${max}; ${used} was used.`);
  return used;
}

/** Applies segment weights, splits at BREAK, merges equal weights and trims chunk edges. */
export function finishChunks(pieces: Piece[], warnings: string[]): WeightedSpan[][] {
  let segmentStart = 0;
  pieces.forEach((piece, index) => {
    if (piece.kind === 'break') segmentStart = index + 1; // a segment never reaches into an earlier chunk
    if (piece.kind !== 'segment') return;
    if (piece.weight !== null) {
      for (let p = segmentStart; p < index; p++) {
        const q = pieces[p];
        if (q.kind === 'text') q.weight *= piece.weight;
      }
    } else if (!pieces.slice(index + 1).some((q) => q.kind === 'text' && q.text.trim() !== '')) {
      warnings.push('A trailing "::" had no weight after it and was ignored.');
    }
    segmentStart = index + 1;
  });

  const chunks: WeightedSpan[][] = [[]];
  for (const piece of pieces) {
    if (piece.kind === 'break') chunks.push([]);
    if (piece.kind !== 'text' || piece.text === '') continue;
    let weight = round6(piece.weight);
    if (piece.text.trim() !== '' && (weight < WEIGHT_RANGE[0] || weight > WEIGHT_RANGE[1])) {
      const used = weight < WEIGHT_RANGE[0] ? WEIGHT_RANGE[0] : WEIGHT_RANGE[1];
      warnings.push(`"${piece.text.trim().slice(0, 40)}" ended up with weight ${weight}; ${used} was used.`);
      weight = used;
    }
    weight = Math.min(WEIGHT_RANGE[1], Math.max(WEIGHT_RANGE[0], weight));
    const spans = chunks[chunks.length - 1];
    const last = spans[spans.length - 1];
    if (last && last.weight === weight) last.text += piece.text;
    else spans.push({ text: piece.text, weight });
  }
  const trimmed = chunks.map(trimEdges).filter((spans) => spans.length > 0);
  return trimmed.length > 0 ? trimmed : [[]];
}

/** Drops whitespace at a chunk's start and end (A1111 eats it around BREAK too). */
function trimEdges(spans: WeightedSpan[]): WeightedSpan[] {
  const out = spans.slice();
  while (out.length > 0 && out[0].text.trimStart() === '') out.shift();
  while (out.length > 0 && out[out.length - 1].text.trimEnd() === '') out.pop();
  if (out.length === 0) return out;
  out[0] = { ...out[0], text: out[0].text.trimStart() };
  out[out.length - 1] = { ...out[out.length - 1], text: out[out.length - 1].text.trimEnd() };
  return out;
}

/** Escapes whatever the parser would otherwise read as syntax. */
function escapeText(text: string): string {
  return text
    .replace(/[\\()[\]]/g, '\\$&')
    .replace(/:(?=:)/g, '\\:')
    .replace(/(?<![\p{L}\p{N}_])BREAK(?![\p{L}\p{N}_])/gu, '\\BREAK')
    .replace(/(?<=[\p{L}\p{N}_])[+-]+(?=$|[\s,.;:!?()[\]|])/gu, (run) => run.replace(/./g, '\\$&'))
    .replace(/(?<=^|\s)--(?=[A-Za-z])/g, '\\-\\-');
}

const formatWeight = (w: number) => String(Number(w.toFixed(4)));

/** `(text:w)`, with the span's edge whitespace outside the parens ("a (red:1.2) cat", not "a( red:1.2)cat"). */
function formatSpan(span: WeightedSpan): string {
  if (span.weight === 1) return escapeText(span.text);
  const [, lead, core, trail] = /^(\s*)([\s\S]*?)(\s*)$/.exec(span.text)!;
  return core === '' ? span.text : `${lead}(${escapeText(core)}:${formatWeight(span.weight)})${trail}`;
}

function formatChunk(spans: readonly WeightedSpan[]): string {
  return spans.map(formatSpan).join('');
}

/**
 * Canonical A1111 form: `(text:w)` for every weight other than 1, escapes for literal brackets, chunks
 * joined with ` BREAK `. Parsing the result gives the same spans up to whitespace at span edges (which
 * CLIP ignores) and weights rounded to 4 decimals.
 * @example formatWeightedPrompt([{ text: 'a ', weight: 1 }, { text: 'red cat', weight: 1.21 }]) // 'a (red cat:1.21)'
 */
export function formatWeightedPrompt(
  spans: readonly WeightedSpan[] | readonly (readonly WeightedSpan[])[],
): string {
  const chunks = (spans.length > 0 && Array.isArray(spans[0]) ? spans : [spans]) as readonly (readonly WeightedSpan[])[];
  return chunks.map(formatChunk).join(' BREAK ');
}

/** The prompt's words without weights or syntax, whitespace collapsed: for captions and token counts. */
export function plainText(parsed: { chunks: readonly (readonly WeightedSpan[])[] }): string {
  return parsed.chunks
    .map((spans) => spans.map((s) => s.text).join(''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}
