/**
 * What a member asks for when refining a draft, read from plain lines they type in a reply, the
 * Refine modal or /refine: `no: people, text` (adds to the negative prompt), `more: dragon` and
 * `less: fog` (raise or lower a phrase's weight), `add: a spaceship in the sky` (new content),
 * `region: top left` (where to repaint) and `variant: 2` (which of the four to start from). A line
 * without a known label is read as `add:`. Pure: the Discord adapters and /refine share it.
 */

export interface RefineInstructions {
  add: string[];
  more: string[];
  less: string[];
  no: string[];
  /** Region words as typed ("top left"), checked by regionMask. */
  region?: string;
  /** 1-based variant when the member named one. */
  variant?: number;
  /** Lines that were ignored, in words a person can read. */
  warnings: string[];
}

const LABELS = ['add', 'more', 'less', 'no', 'region', 'variant'] as const;
type Label = (typeof LABELS)[number];
const ALIASES: Record<string, Label> = { not: 'no', without: 'no', remove: 'no', plus: 'add', area: 'region', where: 'region', v: 'variant' };
const LINE = /^\s*([a-z]+)\s*:\s*(.*)$/i;

/** Splits "a, b; c" into trimmed, non-empty phrases. */
function phrases(text: string): string[] {
  return text.split(/[,;]/).map((p) => p.trim()).filter((p) => p.length > 0).map((p) => p.slice(0, 200));
}

/**
 * Reads refine instructions from free text, one instruction per line.
 * @example parseRefineInstructions('no: people, text\nmore: dragon\nregion: top left')
 * // -> { no: ['people', 'text'], more: ['dragon'], add: [], less: [], region: 'top left', warnings: [] }
 */
export function parseRefineInstructions(text: string): RefineInstructions {
  const out: RefineInstructions = { add: [], more: [], less: [], no: [], warnings: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/<@!?\d+>/g, '').trim();
    if (line === '') continue;
    const match = LINE.exec(line);
    const word = match?.[1]!.toLowerCase();
    const label: Label | undefined = word ? ((LABELS as readonly string[]).includes(word) ? (word as Label) : ALIASES[word]) : undefined;
    if (!match || !label) {
      out.add.push(...phrases(line));
      continue;
    }
    const value = match[2]!.trim();
    if (value === '') {
      out.warnings.push(`"${word}:" had nothing after it, so it was ignored.`);
    } else if (label === 'region') {
      out.region = value.toLowerCase();
    } else if (label === 'variant') {
      const n = Number(value.replace(/^#/, ''));
      if (Number.isInteger(n) && n >= 1 && n <= 4) out.variant = n;
      else out.warnings.push(`"variant: ${value}" is not 1, 2, 3 or 4, so it was ignored.`);
    } else {
      out[label].push(...phrases(value));
    }
  }
  return out;
}

/** True when the instructions ask for nothing at all. */
export function isEmptyRefinement(r: RefineInstructions): boolean {
  return r.add.length + r.more.length + r.less.length + r.no.length === 0 && r.region === undefined;
}

/** Strips characters that would change the weighting syntax of the phrase they are put into. */
function literal(phrase: string): string {
  return phrase.replace(/[()[\]:\\]/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Applies instructions to a draft's prompts: `more` -> `(x:1.3)`, `less` -> `(x:0.7)`, `add` appended,
 * `no` appended to the negative. Returns the new prompts and short labels of the edits ("+ dragon").
 */
export function applyRefinement(prompt: string, negative: string, r: RefineInstructions): { prompt: string; negative: string; edits: string[] } {
  const parts = [prompt.trim()];
  const edits: string[] = [];
  for (const p of r.add.map(literal).filter(Boolean)) (parts.push(p), edits.push(`+ ${p}`));
  for (const p of r.more.map(literal).filter(Boolean)) (parts.push(`(${p}:1.3)`), edits.push(`more ${p}`));
  for (const p of r.less.map(literal).filter(Boolean)) (parts.push(`(${p}:0.7)`), edits.push(`less ${p}`));
  const no = r.no.map(literal).filter(Boolean);
  for (const p of no) edits.push(`- ${p}`);
  if (r.region) edits.push(`region ${r.region}`);
  const neg = [negative.trim(), ...no].filter(Boolean).join(', ');
  return { prompt: parts.filter(Boolean).join(', ').slice(0, 2000), negative: neg.slice(0, 2000), edits: edits.slice(0, 20) };
}
