/**
 * A first description for a character the sheet does not know yet, from what the passage shows of
 * them: what they are (their role noun: "a fox", "a farmer"; for a bare name, "a boy" or "a woman"
 * from the pronouns), the visible adjectives used with them ("white", "little", "old"), a "with ..."
 * phrase that follows a mention ("with pink eyes") and what they wear ("its waistcoat-pocket" ->
 * "in a waistcoat"). The group can change it with /story cast; the first description sticks so the
 * character looks the same in every panel.
 * @example "a white rabbit with pink eyes, in a waistcoat"
 */
import type { FoundCharacter } from './character-finder.js';
import { lookUpNoun } from './noun-lexicon.js';

/**
 * Adjectives a picture can show, in the order English puts them (opinion, size, age, colour);
 * others ("timid", "generous") are left to the story.
 */
const VISIBLE_ORDER = `ugly beautiful pretty handsome funny-looking wicked poor ragged naked shaggy hairy
  little small tiny wee big great huge large tall short fat thin lean plump long
  old young aged
  white black brown red grey gray golden pink green blue yellow silver orange purple dark fair pale snow-white spotted striped rusty`.split(/\s+/);
const VISIBLE = new Set(VISIBLE_ORDER);
/** Kinship words say who someone is to another, not what they look like. */
const KIN: Record<string, string> = {
  wife: 'woman', aunt: 'woman', stepmother: 'woman', husband: 'man', uncle: 'man',
  son: 'boy', brother: 'boy', daughter: 'girl', sister: 'girl', cousin: 'person', friend: 'person',
};
const TITLES = /^(mr|mrs|ms|dr|st|uncle|aunt|master|mistress|old|little)\.?$/i;

export interface CharacterSpan {
  start: number;
  end: number;
}

/** Describes one character from its mentions (offsets into `masked`, the passage without speech). */
export function describeCharacter(character: FoundCharacter, spans: CharacterSpan[], masked: string): string {
  const adjectives: string[] = [];
  let withPhrase = '';
  let worn = '';
  for (const span of spans) {
    const before = masked.slice(Math.max(0, span.start - 40), span.start).split(/\s+/).filter(Boolean).slice(-3);
    // Only the words of this noun phrase: stop at punctuation going backwards.
    const phrase = before.slice(before.findLastIndex((w) => /[.,;:!?]$/.test(w)) + 1);
    for (const word of phrase) {
      const w = word.toLowerCase().replace(/[^\p{L}-]/gu, '');
      if (VISIBLE.has(w) && !adjectives.includes(w)) adjectives.push(w);
    }
    const after = /^\s*,?\s*with\s+([\p{L}'’ -]+?)(?=[,.;:!?]|\s(?:ran|came|went|who|which|that)\b|$)/u.exec(masked.slice(span.end, span.end + 80));
    if (!withPhrase && after && !/\b(his|her|their|its|him|them)\b/i.test(after[1]!) && after[1]!.split(' ').length <= 8) withPhrase = after[1]!.trim();
    if (!worn) worn = wornNear(masked, span, character);
  }
  const base = baseNoun(character, masked);
  for (const w of base.split(' ')) {
    const at = adjectives.indexOf(w);
    if (at >= 0) adjectives.splice(at, 1);
  }
  const ordered = adjectives.slice(0, 3).sort((a, b) => VISIBLE_ORDER.indexOf(a) - VISIBLE_ORDER.indexOf(b));
  const head = [...ordered, base].join(' ');
  const plural = lookUpNoun(base.split(' ').at(-1)!)?.plural;
  const count = plural ? /\b(two|three|four|five|six|seven|some|many)\s+(?:[\p{L}-]+\s+){0,3}$/iu.exec(masked.slice(Math.max(0, (spans[0]?.start ?? 0) - 40), spans[0]?.start ?? 0))?.[1] : '';
  const opener = plural ? (count ? `${count.toLowerCase()} ` : '') : `${article(head)} `;
  return `${opener}${head}${withPhrase ? ` with ${withPhrase}` : ''}${worn ? `, in ${article(worn)} ${worn}` : ''}`;
}

/** What the character is: its role noun, the words of a titled name, or a person by its pronouns. */
function baseNoun(character: FoundCharacter, masked: string): string {
  if (character.kind !== 'named') {
    // A titled name loses its titles ("Mrs. Rabbit" -> "rabbit"); a noun stays as the passage says it.
    const capitalised = /^\p{Lu}/u.test(character.name);
    const words = character.name.split(' ').filter((w) => !capitalised || !TITLES.test(w));
    const base = (words.length > 0 ? words.join(' ') : character.roles[0] ?? character.name).toLowerCase();
    return KIN[base] ?? base;
  }
  const roles = character.roles.filter((r) => !KIN[r]);
  if (roles.length > 0) return roles.sort((a, b) => b.split(' ').length - a.split(' ').length)[0]!;
  if (character.roles.length > 0) return KIN[character.roles[0]!]!;
  // A bare name: a girl or a boy (storybook heroes with only a first name mostly are), else a person.
  void masked;
  return character.gender === 'female' ? 'girl' : character.gender === 'male' ? 'boy' : 'person';
}

/** "took a watch out of its waistcoat-pocket": something worn, said of this character. */
function wornNear(masked: string, span: CharacterSpan, character: FoundCharacter): string {
  const sentenceEnd = masked.slice(span.end).search(/[.!?]/);
  const rest = masked.slice(span.end, span.end + (sentenceEnd < 0 ? 200 : sentenceEnd));
  const pronoun = character.kind === 'animal' || character.kind === 'being' ? 'its|his|her' : 'his|her';
  for (const m of rest.matchAll(new RegExp(`\\b(?:${pronoun})\\s+((?:[\\p{L}-]+\\s+){0,2}?)([\\p{L}]+)(?:-[\\p{L}]+)?\\b`, 'giu'))) {
    const entry = lookUpNoun(m[2]!);
    if (entry?.worn) return [...m[1]!.trim().split(/\s+/).filter((w) => VISIBLE.has(w.toLowerCase())), m[2]!.toLowerCase()].join(' ');
  }
  return '';
}

function article(phrase: string): string {
  return /^[aeiou]/i.test(phrase) && !/^(one|uni|use|eu)/i.test(phrase) ? 'an' : 'a';
}
