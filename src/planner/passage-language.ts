/**
 * Which language a passage is written in, as far as the offline planner needs to know: it reads
 * English only, so a passage in another language gets one sentence back (what it reads, and how to
 * turn on the LLM planner) instead of scenes made of garbled words. The script decides first (Han,
 * Cyrillic, Arabic... cannot be English); Latin-script text is English when English function words
 * make up a good share of it, otherwise franc (trigram statistics) names the language.
 */
import { franc } from 'franc-min';

export interface PassageLanguage {
  english: boolean;
  /** ISO 639-3 code ('eng', 'cmn', 'deu'...) or 'und' when unsure. */
  code: string;
  /** A name for people ("Chinese"), or "another language". */
  name: string;
}

const ENGLISH_FUNCTION_WORDS = new Set(
  `the a an and of to in was were is are he she it his her its they them their that with for on at as but had
  have not by from this which you i my we be said so then there when all one would what who him`.split(/\s+/),
);
const NAMES: Record<string, string> = {
  cmn: 'Chinese', jpn: 'Japanese', kor: 'Korean', rus: 'Russian', ukr: 'Ukrainian', deu: 'German', fra: 'French',
  spa: 'Spanish', por: 'Portuguese', ita: 'Italian', nld: 'Dutch', pol: 'Polish', tur: 'Turkish', arb: 'Arabic',
  hin: 'Hindi', ben: 'Bengali', vie: 'Vietnamese', ind: 'Indonesian', swe: 'Swedish', ces: 'Czech', ell: 'Greek',
  heb: 'Hebrew', tha: 'Thai', fas: 'Persian', ron: 'Romanian', hun: 'Hungarian',
};

/**
 * Detects the passage's language.
 * @example detectLanguage('从前，宋国有一个农夫。') // { english: false, code: 'cmn', name: 'Chinese' }
 */
export function detectLanguage(passage: string): PassageLanguage {
  const letters = passage.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return { english: true, code: 'und', name: 'English' };
  const latin = letters.filter((c) => /\p{Script=Latin}/u.test(c)).length;
  const words = (passage.toLowerCase().match(/\p{L}[\p{L}'’]*/gu) ?? []).slice(0, 400);
  const functionShare = words.filter((w) => ENGLISH_FUNCTION_WORDS.has(w)).length / Math.max(1, words.length);
  // Mostly Latin letters and English's small words throughout: English, whatever trigrams say.
  if (latin / letters.length > 0.9 && (functionShare >= 0.2 || words.length < 4)) return { english: true, code: 'eng', name: 'English' };
  const code = franc(passage, { minLength: 3 });
  if (code === 'eng' && latin / letters.length > 0.9) return { english: true, code, name: 'English' };
  return { english: false, code, name: NAMES[code] ?? 'another language' };
}

/** The one sentence the offline planner answers a passage it cannot read with. */
export function englishOnlyNotice(language: PassageLanguage): string {
  const which = language.name === 'another language' ? 'in another language' : `in ${language.name}`;
  return (
    `This passage looks like it is written ${which}, and the offline planner reads English only: ` +
    'write the passage in English, or ask the bot\'s host to turn on the LLM planner (set OPENAI_BASE_URL or OPENAI_API_KEY), which plans from any language.'
  );
}
