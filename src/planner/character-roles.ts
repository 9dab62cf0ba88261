/**
 * Coreference by role, only where the passage states it outright. Between two mentions that follow
 * each other in a sentence, these links say that a noun describes a character:
 *   "Uncle Henry, who was a farmer"          (relative clause)
 *   "he was a little black dog"               (copula; the pronoun is resolved first)
 *   "she was in reality a wicked witch"       (copula that reveals: the role renames a common noun)
 *   "the boy was called Hansel", "a cow named Milky-white", "the girl Gretel"   (naming)
 *   "so she was always called Little Red-Cap" (naming through a pronoun)
 * A pronoun is resolved to the mention before it in its sentence, else to the first mention of the
 * sentences before (the previous sentence's subject, which is what "she" usually continues).
 */
import type { Mention, NounMention } from './character-mentions.js';
import { lookUpNoun } from './noun-lexicon.js';
import type { Sentence } from './passage-sentences.js';

export interface RoleLink {
  /** Canonical name of the character described. */
  owner: string;
  /** The noun lemma that describes it ("farmer", "dog", "witch"). */
  role: string;
  /** The role reveals what the character really is ("in reality a witch"). */
  renames: boolean;
}

const MODS = String.raw`(?:[\p{L}'’-]+\s+){0,3}`;
const COPULA = new RegExp(String.raw`^\s*(?:,\s*(?:who|that)\s+)?(?:was|is)\s+(really\s+|in reality\s+|actually\s+|only\s+)?(?:a|an|the)\s+${MODS}$`, 'iu');
const NAMING = /^\s+(?:(?:was|is)\s+)?(?:always\s+)?(?:named|called)\s+$/i;
const APPOSED = /^\s$/;

/** Links found in the passage; `ownerOf` maps a name or noun mention to its character, if any. */
export function joinRoles(sentences: Sentence[], mentions: Mention[][], masked: string, ownerOf: (m: Mention) => string | undefined): RoleLink[] {
  const links: RoleLink[] = [];
  let previousFirst: Mention | undefined;
  sentences.forEach((s, i) => {
    const text = masked.slice(s.start, s.end);
    // Possessives are part of the noun phrase that follows ("the farmer's wife").
    const list = mentions[i]!.filter((m) => m.kind === 'pronoun' || (m.kind === 'noun' ? !m.possessive : !!ownerOf(m)));
    const resolve = (k: number): Mention | undefined => {
      const m = list[k]!;
      if (m.kind !== 'pronoun') return m;
      for (let j = k - 1; j >= 0; j--) if (list[j]!.kind !== 'pronoun') return list[j];
      return previousFirst;
    };
    for (let k = 0; k + 1 < list.length; k++) {
      const a = list[k]!;
      const b = list[k + 1]!;
      const between = text.slice(a.end, b.start);
      const copula = COPULA.exec(between);
      if (copula && b.kind === 'noun' && !b.plural) {
        const subject = resolve(k);
        const owner = subject && ownerOf(subject);
        if (owner) links.push({ owner, role: b.lemma, renames: !!copula[1] && subject.kind === 'noun' });
      } else if (b.kind === 'name' && (NAMING.test(between) || (APPOSED.test(between) && a.kind === 'noun' && determined(text, a)))) {
        const owner = ownerOf(b);
        const described = a.kind === 'pronoun' ? resolve(k) : a;
        if (owner && described?.kind === 'noun') links.push({ owner, role: (described as NounMention).lemma, renames: false });
      }
    }
    // "four little Rabbits, and their names were Flopsy, Mopsy, Cotton-tail, and Peter".
    const listed = /\b(?:their|whose)\s+names\s+were\b/i.exec(text);
    if (listed) {
      const kind = text.slice(0, listed.index).match(/[\p{L}-]+/gu)?.reverse().map((w) => lookUpNoun(w)).find((e) => e?.character && e.plural);
      if (kind) for (const m of list) if (m.kind === 'name' && m.start > listed.index && ownerOf(m)) links.push({ owner: ownerOf(m)!, role: kind.lemma, renames: false });
    }
    previousFirst = list.find((m) => m.kind !== 'pronoun' && ownerOf(m)) ?? previousFirst;
  });
  return links;
}

/** "the girl Gretel" but not "Saturday girl Gretel": the noun has a determiner. */
function determined(text: string, m: Mention): boolean {
  return /\b(the|his|her|their|a|an|its)\s+$/i.test(text.slice(0, m.start));
}
