/**
 * Which toy tokens are "generic": the built-in quality / artifact words of negative prompts
 * (GENERIC_WORDS) and pure punctuation. Real CLIP text encodings of such words carry little
 * picture-specific content; they mostly sit on the large direction every prompt encoding shares. The
 * toy mirrors that: their seeded embedding rows are scaled by GENERIC_TOKEN_SCALE (toyWeights in
 * toy-spec.ts), so they add almost nothing to the summed token states; the UNet adds the shared vector
 * (COMMON_NORM commonDir) to that sum, so a prompt made of them is near the shared direction and gets
 * the broad generic spreads in both bands (toy-reference.ts, toySpreads), which is what keeps CFG with
 * a negative prompt in range.
 */
import { GENERIC_WORDS } from './word-list.js';

const WORD_END = '</w>';
/** ASCII punctuation only (bytes_to_unicode maps printable ASCII to itself). */
const PUNCTUATION = /^[!-/:-@[-`{-~]+$/;

/** Ids of the generic tokens of a toy vocabulary (token text -> id). */
export function genericTokenIds(vocab: ReadonlyMap<string, number>): Set<number> {
  const words = new Set(GENERIC_WORDS.split(/\s+/).filter(Boolean));
  const ids = new Set<number>();
  for (const [token, id] of vocab) {
    // Whole words only ("text</w>", not the piece "text" of "texture"); punctuation with or without </w>.
    const whole = token.endsWith(WORD_END);
    const text = whole ? token.slice(0, -WORD_END.length) : token;
    if ((whole && words.has(text)) || PUNCTUATION.test(text)) ids.add(id);
  }
  return ids;
}
