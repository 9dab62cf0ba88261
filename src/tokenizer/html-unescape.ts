/**
 * `html.unescape` as CLIP's `basic_clean` uses it (twice), so prompts pasted from web pages ("&amp;",
 * "&#39;", "&quot;") tokenize like they do in the reference tokenizer.
 *
 * Follows CPython `Lib/html/__init__.py`: the same character-reference regex, numeric references with the
 * WHATWG fixes (0x80-0x9F read as windows-1252, surrogates/out-of-range -> U+FFFD, non-characters and most
 * controls dropped), named references with `;`, and the legacy names that also work without `;` (the
 * Latin-1 set plus amp/lt/gt/quot, longest prefix wins: "&ampx" -> "&x"). CPython knows all 2,231 HTML5
 * names; this module carries the Latin-1 ones and the common typographic ones — the rest stay as written.
 */

/** Latin-1 entity names for U+00A0..U+00FF, in code order (HTML 4 / WHATWG "legacy" names). */
const LATIN1_NAMES = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 ' +
  'acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde ' +
  'Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc ' +
  'Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml ' +
  'aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc ' +
  'otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'
).split(' ');

/** Common names that are only valid with a trailing ';' (code points from the WHATWG entity table). */
const SEMICOLON_ONLY: Record<string, number> = {
  apos: 0x27, OElig: 0x152, oelig: 0x153, Scaron: 0x160, scaron: 0x161, Yuml: 0x178, fnof: 0x192,
  circ: 0x2c6, tilde: 0x2dc, ensp: 0x2002, emsp: 0x2003, thinsp: 0x2009, zwnj: 0x200c, zwj: 0x200d,
  lrm: 0x200e, rlm: 0x200f, ndash: 0x2013, mdash: 0x2014, lsquo: 0x2018, rsquo: 0x2019, sbquo: 0x201a,
  ldquo: 0x201c, rdquo: 0x201d, bdquo: 0x201e, dagger: 0x2020, Dagger: 0x2021, bull: 0x2022,
  hellip: 0x2026, permil: 0x2030, prime: 0x2032, Prime: 0x2033, lsaquo: 0x2039, rsaquo: 0x203a,
  euro: 0x20ac, trade: 0x2122, larr: 0x2190, uarr: 0x2191, rarr: 0x2192, darr: 0x2193, harr: 0x2194,
  minus: 0x2212, infin: 0x221e, ne: 0x2260, le: 0x2264, ge: 0x2265, spades: 0x2660, clubs: 0x2663,
  hearts: 0x2665, diams: 0x2666, star: 0x2606, check: 0x2713,
};

/** Names valid without ';' (value) — all of them are also valid with ';'. */
const LEGACY = new Map<string, string>([
  ['amp', '&'], ['AMP', '&'], ['lt', '<'], ['LT', '<'], ['gt', '>'], ['GT', '>'], ['quot', '"'], ['QUOT', '"'],
  ['COPY', '\u00a9'], ['REG', '\u00ae'],
  ...LATIN1_NAMES.map((name, i): [string, string] => [name, String.fromCharCode(0xa0 + i)]),
]);

const WITH_SEMICOLON = new Map<string, string>([
  ...LEGACY,
  ...Object.entries(SEMICOLON_ONLY).map(([name, cp]): [string, string] => [name, String.fromCodePoint(cp)]),
]);

/** WHATWG "invalid character references" fix-ups, as in CPython's `_invalid_charrefs`. */
const CP1252: Record<number, number> = {
  0x00: 0xfffd, 0x0d: 0x0d, 0x80: 0x20ac, 0x81: 0x81, 0x82: 0x201a, 0x83: 0x0192, 0x84: 0x201e, 0x85: 0x2026,
  0x86: 0x2020, 0x87: 0x2021, 0x88: 0x02c6, 0x89: 0x2030, 0x8a: 0x0160, 0x8b: 0x2039, 0x8c: 0x0152, 0x8d: 0x8d,
  0x8e: 0x017d, 0x8f: 0x8f, 0x90: 0x90, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201c, 0x94: 0x201d, 0x95: 0x2022,
  0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02dc, 0x99: 0x2122, 0x9a: 0x0161, 0x9b: 0x203a, 0x9c: 0x0153, 0x9d: 0x9d,
  0x9e: 0x017e, 0x9f: 0x0178,
};

/** CPython's `_invalid_codepoints`: controls and non-characters that a reference may not produce. */
function isInvalidCodepoint(cp: number): boolean {
  return (cp >= 0x1 && cp <= 0x8) || cp === 0xb || (cp >= 0xe && cp <= 0x1f) || (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe;
}

function numericReference(digits: string, hex: boolean): string {
  const cp = parseInt(digits, hex ? 16 : 10);
  if (cp in CP1252) return String.fromCodePoint(CP1252[cp]);
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || !Number.isFinite(cp)) return '\ufffd';
  if (isInvalidCodepoint(cp)) return '';
  return String.fromCodePoint(cp);
}

const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

/** Replaces HTML character references like CPython's `html.unescape` (named ones: see module comment). */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF, (whole: string, s: string) => {
    if (s[0] === '#') {
      const hex = s[1] === 'x' || s[1] === 'X';
      const digits = s.slice(hex ? 2 : 1).replace(/;$/, '');
      return numericReference(digits, hex);
    }
    const exact = s.endsWith(';') ? WITH_SEMICOLON.get(s.slice(0, -1)) : LEGACY.get(s);
    if (exact !== undefined) return exact;
    // Longest legacy prefix, as CPython does for names without (or with an unknown) ';'.
    for (let x = s.length - 1; x > 1; x--) {
      const legacy = LEGACY.get(s.slice(0, x));
      if (legacy !== undefined) return legacy + s.slice(x);
    }
    return whole;
  });
}
