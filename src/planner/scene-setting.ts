/**
 * Where and when a scene happens, in the words a picture model knows. Place nouns in a passage are
 * mapped onto a small set of settings that captions use ("forest", "field", "vineyard", "village
 * street", "cottage room", "castle hall"...); time words onto day, dusk or night; weather onto rain,
 * snow or fog. All matching is by whole words, so "winter" is never read as "win" nor "snowdrop" as
 * snow. Quoted speech is ignored by the caller: what characters talk about is not where they are.
 */

/** Passage place words -> the setting a caption would name. Words not listed are not places. */
const SETTINGS: Array<[string, string[]]> = [
  ['forest', ['forest', 'forests', 'wood', 'woods', 'grove', 'thicket', 'jungle', 'woodland']],
  ['field', ['field', 'fields', 'meadow', 'meadows', 'prairie', 'prairies', 'plain', 'plains', 'pasture', 'country', 'countryside', 'grass', 'corn-fields', 'cornfield', 'farm']],
  ['vineyard', ['vineyard', 'vine', 'vines', 'trellis']],
  ['orchard', ['orchard']],
  ['garden', ['garden', 'gardens']],
  ['sea', ['sea', 'ocean', 'waves']],
  ['beach', ['beach', 'shore', 'seashore', 'coast', 'sand']],
  ['river bank', ['bank', 'riverbank', 'sand-bank']],
  ['river', ['river', 'stream', 'brook', 'pond', 'lake', 'pool', 'pools']],
  ['well', ['well', 'fountain']],
  ['mountains', ['mountain', 'mountains', 'peak', 'cliff', 'cliffs']],
  ['hill', ['hill', 'hills', 'hilltop']],
  ['country road', ['road', 'roadside', 'path', 'course']],
  ['country lane', ['lane']],
  ['village street', ['street', 'sidewalk', 'village', 'town', 'market', 'square', 'fence']],
  ['castle hall', ['castle', 'palace', 'hall', 'throne']],
  ['cottage', ['house', 'cottage', 'hut', 'cabin', 'farm-house', 'farmhouse', 'roof', 'doorway']],
  ['cottage room', ['room', 'kitchen', 'dining-room', 'bedroom', 'workshop', 'shop', 'inn', 'parlour', 'parlor']],
  ['cave', ['cave', 'den']],
  ['rabbit hole', ['rabbit-hole', 'burrow', 'hole']],
  ['hedge', ['hedge', 'hedgerow']],
];
const PLACE_OF = new Map(SETTINGS.flatMap(([setting, words]) => words.map((w) => [w, setting] as const)));

/** Whole words only; a hyphen joins words ("snow-white" is not snow). */
const words = (list: string) => new RegExp(`(?<![\\p{L}-])(?:${list})(?![\\p{L}-])`, 'iu');
const TIMES: Array<[string, RegExp]> = [
  ['night', words('night|nights|midnight|moon|moonlight|moonlit|stars|starry|darkness|nightfall')],
  ['dusk', words('dusk|evening|sunset|twilight|shadows grew long')],
  ['day', words('day|morning|noon|mid-day|midday|afternoon|sunny|sunshine|sun|daylight|dawn|sunrise')],
];
const WEATHER: Array<[string, RegExp]> = [
  ['snow', words('snow|snowy|snowing|snowed|winter|frost|frozen|icy')],
  ['rain', words('rain|rainy|raining|rained|storm|stormy|thunder')],
  ['fog', words('fog|foggy|mist|misty')],
];
// Prepositions, and verbs that take a place as their object ("entered the wood").
const PREPOSITIONS = 'in|on|at|by|under|beneath|beside|near|along|across|through|into|over|inside|outside|behind|upon|among|around|toward|towards|from|to|of|down|up|entered|reached|approached|crossed|climbed|left';
const PLACE_PREPOSITION = new RegExp(`\\b(?:${PREPOSITIONS})\\s+`, 'giu');

export interface SceneSetting {
  /** The caption word for the place ("forest"), or '' when the text names none. */
  place: string;
  /** day, dusk, night or ''. */
  time: string;
  /** snow, rain, fog or ''. */
  weather: string;
}

/**
 * The place a text puts its scene in: the place word governed most often by a preposition ("in the
 * wood", "across the field") or by a verb of moving ("entered the wood"). A place only compared to
 * ("as old as the hills") is not where the scene is.
 * @example findPlace('just as Little Red-Cap entered the wood, a wolf met her') // 'forest'
 */
export function findPlace(text: string): string {
  // Each preposition looks at the six words after it, up to a punctuation mark (overlapping, so
  // "near the goal at the top of the hill" reaches the hill). The place named most often wins; the
  // first named breaks a tie.
  const counts = new Map<string, number>();
  for (const m of text.matchAll(PLACE_PREPOSITION)) {
    const after = text.slice(m.index! + m[0].length).split(/[,.;:!?"“”()—]/)[0]!;
    const place = after.toLowerCase().split(/\s+/).slice(0, 6).map((w) => PLACE_OF.get(w)).find(Boolean);
    if (place) counts.set(place, (counts.get(place) ?? 0) + 1);
  }
  let best = '';
  for (const [place, n] of counts) if (n > (counts.get(best) ?? 0)) best = place;
  if (best) return best;
  return '';
}

/** Place, time of day and weather of a scene's (unquoted) text. */
export function findSetting(text: string): SceneSetting {
  return {
    place: findPlace(text),
    time: TIMES.find(([, re]) => re.test(text))?.[0] ?? '',
    weather: WEATHER.find(([, re]) => re.test(text))?.[0] ?? '',
  };
}

/** Whether a word names a place (so it is not listed again among a scene's objects). */
export function isPlaceWord(word: string): boolean {
  return PLACE_OF.has(word.toLowerCase());
}

/**
 * The setting as a caption says it: "in a vineyard at dusk", "on a village street", "in a forest at
 * night, in the snow".
 */
export function settingPhrase(setting: SceneSetting): string {
  const on = /street|road|lane|hill|beach|river bank/.test(setting.place) ? 'on' : /^(well|river|hedge)$/.test(setting.place) ? 'by' : 'in';
  const place = setting.place ? `${on} ${setting.place === 'well' ? 'a well' : `${/^[aeiou]/.test(setting.place) ? 'an' : 'a'} ${setting.place}`}` : '';
  const time = setting.time === 'day' ? 'by day' : setting.time ? `at ${setting.time}` : '';
  const weather = setting.weather ? `in the ${setting.weather}` : '';
  return [[place, time].filter(Boolean).join(' '), weather].filter(Boolean).join(', ');
}
