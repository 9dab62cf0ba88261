/**
 * Finds who is in a passage without an LLM, the way an illustrator reads it. Characters are:
 * - names: capitalised runs that are not just a sentence's first word ("Ben Rogers", "Mr. McGregor"),
 *   taken when they recur, when compromise reads them as a person, when they act, or when the story's
 *   CharacterSheet knows them; short forms merge into long ones ("Ben" into "Ben Rogers");
 * - titled characters: a capitalised run whose last word WordNet knows as a being ("the White Rabbit",
 *   "the Town Mouse", Aesop's "the Fox"), taken when it acts somewhere (so "the Pitcher" is not);
 * - common nouns WordNet knows as people, animals or beings ("a wolf met her", "said the Crane",
 *   "there dwelt a poor wood-cutter", "two huge mastiffs came"), taken when they act or speak and are
 *   not only hypothetical ("a child could stand") or a modifier ("the hunter's net").
 * Roles are joined to who they describe where the passage says so: "Uncle Henry, who was a farmer",
 * "she was in reality a wicked witch", "the boy was called Hansel", "a cow named Milky-white".
 * Presence per sentence: mentions, then pronouns (he/she: the last character named; they: the last
 * group) and plural roles ("the children", "the two mice": the group they name).
 */
import nlp from 'compromise';
import type { CharacterSheet } from '../core/story/story.js';
import { findCastMember } from '../core/story/story.js';
import { maskQuotes, sentenceMentions, tagOffsets, type Mention, type NounMention } from './character-mentions.js';
import { lookUpNoun, type CharacterKind } from './noun-lexicon.js';
import type { Sentence } from './passage-sentences.js';
import { joinRoles } from './character-roles.js';

export interface FoundCharacter {
  name: string;
  kind: CharacterKind | 'named';
  /** Lower-case nouns the passage uses for this character ("fox", "old woman", "farmer"). */
  roles: string[];
  /** From role nouns, titles, the first name or the pronouns that refer to the character. */
  gender?: 'male' | 'female';
}

export interface CastInPassage {
  /** Canonical names, in order of first appearance. */
  names: string[];
  /** For each sentence, the canonical names present in it (pronouns resolved). */
  perSentence: string[][];
  /** Names the story's sheet did not have. */
  newNames: string[];
  /** What the finder knows of each character (by canonical name). */
  characters: Map<string, FoundCharacter>;
  /** Where each character is mentioned by name or role (offsets into the passage). */
  spans: Map<string, Array<{ start: number; end: number }>>;
  /** The passage with its quoted speech masked out (same offsets). */
  masked: string;
}

interface Candidate {
  name: string;
  kind: CharacterKind | 'named';
  roles: Set<string>;
  order: number;
}

/** Finds the characters of a passage's sentences. */
export function findCharacters(passage: string, sentences: Sentence[], cast: CharacterSheet = {}): CastInPassage {
  const masked = maskQuotes(passage);
  const mentions = sentences.map((s) => sentenceMentions(masked.slice(s.start, s.end)));
  const all = mentions.flat();
  const people = new Set(sentences.flatMap((s) => tagOffsets(masked.slice(s.start, s.end)).people));

  // 1. Names and titled characters, short forms merged into long ones.
  const names = all.filter((m) => m.kind === 'name');
  const byKey = new Map<string, { surfaces: Map<string, number>; strong: boolean; acts: boolean; determined: boolean; count: number }>();
  const longForms = [...new Set(names.map((m) => m.surface.toLowerCase()))].filter((k) => k.includes(' '));
  const keyOf = (surface: string) => {
    const lower = surface.toLowerCase();
    if (lower.includes(' ')) return lower;
    const longer = longForms.filter((l) => l.split(' ').includes(lower));
    return longer.length === 1 ? longer[0]! : lower;
  };
  for (const m of names) {
    const key = keyOf(m.surface);
    const row = byKey.get(key) ?? { surfaces: new Map(), strong: false, acts: false, determined: false, count: 0 };
    row.surfaces.set(m.surface, (row.surfaces.get(m.surface) ?? 0) + 1);
    row.strong ||= m.strong;
    row.acts ||= m.acts;
    row.determined ||= m.determined;
    if (m.given) row.count++; // "named Daisy" is as sure as a second mention
    row.count++;
    byKey.set(key, row);
  }
  const candidates = new Map<string, Candidate>(); // key -> candidate
  let order = 0;
  for (const [key, row] of byKey) {
    const known = findCastMember(cast, key)?.name ?? [...row.surfaces.keys()].map((s) => findCastMember(cast, s)?.name).find(Boolean);
    const head = key.split(' ').at(-1)!;
    const entry = lookUpNoun(head);
    const surface = [...row.surfaces.entries()].sort((a, b) => b[1] - a[1] || b[0].length - a[0].length)[0]![0];
    let kind: Candidate['kind'] | undefined;
    // A titled character has an article somewhere ("the Fox", "a White Rabbit"); "Jack" is a name.
    const titled = !!entry?.character && entry.rank !== 'generic' && row.determined;
    if (known) kind = 'named';
    else if (titled) kind = row.strong && row.acts ? entry!.character : undefined;
    else if (isPlace(surface)) continue;
    else if (entry && !key.includes(' ') && row.determined) kind = undefined; // a capitalised thing: "the Pitcher", "the Moon"
    else if ((row.strong || people.has(key)) && (row.count >= 2 || people.has(key) || row.acts)) kind = 'named';
    if (!kind) continue;
    // "Mrs. Rabbit", "Toto the dog": a name whose last word is an animal is that animal.
    const roles = new Set<string>(titled || (entry?.character === 'animal' && key.includes(' ')) ? [entry!.lemma] : []);
    candidates.set(key, { name: known ?? longestOf(row.surfaces, key), kind, roles, order: order++ });
  }
  const nameOf = (surface: string) => candidates.get(keyOf(surface))?.name;


  // 2. Common nouns that act or speak, grouped by lemma.
  const nouns = all.filter((m): m is NounMention => m.kind === 'noun' && m.rank !== 'generic');
  const lemmas = new Map<string, NounMention[]>();
  for (const m of nouns) lemmas.set(m.lemma, [...(lemmas.get(m.lemma) ?? []), m]);
  const titled = new Set([...candidates.values()].flatMap((c) => [...c.roles]));
  for (const [lemma, list] of lemmas) {
    if (titled.has(lemma)) continue;
    const evidence = list.filter((m) => !m.possessive && !m.hypothetical);
    const taken = list[0]!.rank === 1 ? evidence.some((m) => m.acts || m.speaks) : evidence.some((m) => m.speaks);
    const known = findCastMember(cast, lemma)?.name;
    if (!taken && !known) continue;
    const singular = evidence.filter((m) => !m.plural);
    // A plural first met as "the children" or "his two sons" is a group of characters already met.
    if (!known && singular.length === 0 && list[0]!.definite) continue;
    // "the mother said", never introduced: a parent word pointing back at someone already met.
    if (!known && PARENT.test(lemma) && list.every((m) => m.determiner === 'the')) continue;
    candidates.set(lemma, { name: known ?? specific(singular.length > 0 ? singular : list), kind: list[0]!.character, roles: new Set([lemma]), order: order++ });
  }

  // 3. Roles joined to the characters they describe ("Uncle Henry, who was a farmer").
  const owners = () => {
    const map = new Map<string, string[]>(); // role lemma -> canonical names
    for (const c of candidates.values()) for (const r of c.roles) map.set(r, [...(map.get(r) ?? []), c.name]);
    return map;
  };
  let roleOwners = owners();
  const ownerOf = (m: Mention): string | undefined =>
    m.kind === 'name' ? nameOf(m.surface) : m.kind === 'noun' ? roleOwners.get(m.lemma)?.at(-1) : undefined;
  for (const link of joinRoles(sentences, mentions, masked, ownerOf)) {
    const target = [...candidates.values()].find((c) => c.name === link.owner);
    if (!target) continue;
    for (const [key, other] of candidates) {
      // Only a common-noun character is absorbed ("the farmer" into Uncle Henry), never another name.
      if (other === target || !other.roles.has(link.role) || other.kind === 'named' || /^\p{Lu}/u.test(other.name)) continue;
      candidates.delete(key);
      for (const r of other.roles) target.roles.add(r);
      // "The old woman ... was in reality a wicked witch": the role revealed names the character.
      if (target.kind !== 'named' && link.renames) target.name = other.name;
      target.order = Math.min(target.order, other.order);
    }
    target.roles.add(link.role);
    roleOwners = owners();
  }

  // 4. Who is present in each sentence.
  const kindOf = new Map([...candidates.values()].map((c) => [c.name, c.kind]));
  const genderOf = new Map([...candidates.values()].map((c) => [c.name, genderOfCharacter(c)]));
  const perSentence: string[][] = [];
  const seen: string[] = [];
  let recent: string[] = []; // most recently present first
  let recentNamed: string[] = []; // most recently named (not by a pronoun) first
  let lastGroup: string[] = [];
  const spans = new Map<string, Array<{ start: number; end: number }>>();
  const votes = new Map<string, { male: number; female: number }>();
  const vote = (name: string, pronoun: string) => {
    const row = votes.get(name) ?? { male: 0, female: 0 };
    if (/^(he|him)$/.test(pronoun)) row.male++;
    else row.female++;
    votes.set(name, row);
  };
  mentions.forEach((list, i) => {
    const here: string[] = [];
    const add = (n: string | undefined) => n && !here.includes(n) && here.push(n);
    for (const m of list) {
      if (m.kind === 'pronoun') {
        if (m.plural) continue;
        // "he" continues the last character of that gender named; "said to her" after a subject is someone else.
        const fits = (n: string) => compatible(genderOf.get(n), m.word);
        const opening = here.length === 0;
        const object = /^(him|her)$/.test(m.word);
        const inSentence = here.slice(object ? 1 : 0).filter(fits);
        if (!opening && inSentence.length > 0) {
          if (inSentence.length === 1) vote(inSentence[0]!, m.word);
          continue;
        }
        const who = recentNamed.find((n) => fits(n) && !(object && n === here[0]));
        if (who) vote(who, m.word);
        if (who && !here.includes(who)) (opening ? here.unshift(who) : here.push(who));
        continue;
      }
      if (m.kind === 'noun' && m.hypothetical) continue;
      const several = m.kind === 'noun' && m.plural ? (roleOwners.get(m.lemma) ?? []) : [];
      const owner = ownerOf(m);
      if (several.length > 1) for (const n of several) add(n);
      else if (owner) {
        add(owner);
        spans.set(owner, [...(spans.get(owner) ?? []), { start: sentences[i]!.start + m.start, end: sentences[i]!.start + m.end }]);
      } else if (m.kind === 'noun' && m.rank !== 2 && (m.plural || m.rank === 'generic' || m.definite)) {
        // "the two mice", "the children", "the tiny creature": the characters of that kind last met.
        const group = (lastGroup.length > 1 && m.plural ? lastGroup : recent).filter((n) => sameKind(kindOf.get(n), m.character));
        for (const n of group.slice(0, m.plural ? 2 : 1)) add(n);
      }
    }
    if (here.length === 0 && list.some((m) => m.kind === 'pronoun' && m.plural)) here.push(...lastGroup);
    for (const n of here) if (!seen.includes(n)) seen.push(n);
    recent = [...here, ...recent.filter((n) => !here.includes(n))];
    const named = list.map((m) => (m.kind === 'pronoun' ? undefined : ownerOf(m))).filter((n): n is string => !!n).reverse();
    recentNamed = [...new Set([...named, ...recentNamed])];
    if (here.length > 0) lastGroup = here;
    perSentence.push(here);
  });

  const genderFrom = (name: string) => {
    const v = votes.get(name);
    return genderOf.get(name) ?? (v && v.male !== v.female ? (v.male > v.female ? 'male' : 'female') : undefined);
  };
  const characters = new Map([...candidates.values()].map((c) => [c.name, { name: c.name, kind: c.kind, roles: [...c.roles], gender: genderFrom(c.name) }]));
  const namesInOrder = seen.filter((n) => characters.has(n));
  const newNames = namesInOrder.filter((n) => !findCastMember(cast, n));
  return { names: namesInOrder, perSentence, newNames, characters, spans, masked };
}

const MALE = /^(boy|man|old man|father|husband|son|brother|king|prince|uncle|lord|gentleman|grandfather|stepfather|mr)$/;
const FEMALE = /^(girl|little girl|woman|old woman|mother|wife|daughter|sister|queen|princess|aunt|lady|witch|grandmother|widow|stepmother|maid|maiden|mrs|miss)$/;

/** male, female or unknown, from a character's role nouns, title or first name. */
function genderOfCharacter(c: Candidate): 'male' | 'female' | undefined {
  const words = [...c.roles, ...c.name.toLowerCase().replace(/\./g, '').split(' ')];
  if (words.some((w) => MALE.test(w))) return 'male';
  if (words.some((w) => FEMALE.test(w))) return 'female';
  if (c.kind !== 'named') return undefined;
  const doc = nlp(c.name);
  return doc.has('#MaleName') ? 'male' : doc.has('#FemaleName') ? 'female' : undefined;
}

function compatible(gender: 'male' | 'female' | undefined, pronoun: string): boolean {
  return !gender || (gender === 'male' ? /^(he|him)$/.test(pronoun) : /^(she|her)$/.test(pronoun));
}

const PARENT = /^(mother|father)$/;

function sameKind(kind: CharacterKind | 'named' | undefined, wanted: CharacterKind): boolean {
  return kind === wanted || (kind === 'named' && wanted === 'person');
}

/** The most specific way the passage says it: "old woman" over "woman", the singular first. */
function specific(list: NounMention[]): string {
  return list.map((m) => m.surface).sort((a, b) => b.split(' ').length - a.split(' ').length)[0]!;
}

function longestOf(surfaces: Map<string, number>, key: string): string {
  return [...surfaces.keys()].filter((s) => s.toLowerCase() === key)[0] ?? [...surfaces.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}

function isPlace(surface: string): boolean {
  return nlp(surface).has('#Place') || /\b(Hill|River|Street|Lane|Land|Village|Town|City|Forest|Wood|Lake|Mountain)$/.test(surface);
}
