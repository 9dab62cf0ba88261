/**
 * Camera motion for animated panels, decided from words: a small vocabulary that turns what a user
 * typed ("zoom in", "pan left", "tilt up") or, failing that, the scene's action ("the fox climbs the
 * vine", "she flees into the night") into one of six moves, and the crop window each move shows at a
 * time t in [0, 1]. Pure: no I/O, so the bot can decide the motion before it enqueues a job and the
 * worker can follow the path without knowing where the decision came from.
 */

export const CAMERA_MOTIONS = ['zoom-in', 'zoom-out', 'pan-left', 'pan-right', 'pan-up', 'pan-down'] as const;
export type CameraMotion = (typeof CAMERA_MOTIONS)[number];

export interface MotionChoice {
  motion: CameraMotion;
  /** Where the decision came from: the user's own words, the scene's action, or the default push-in. */
  source: 'user' | 'action' | 'default';
  /** The words that decided it, as found in the text. */
  phrase?: string;
}

/** A crop of the panel as fractions of its width and height (x, y: top-left corner). */
export interface CropWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

type Vocabulary = ReadonlyArray<readonly [CameraMotion, RegExp]>;

// Camera language: what a user says when they mean the camera. Checked first, in user words and action.
const CAMERA_WORDS: Vocabulary = [
  ['zoom-in', /\b(?:zoom(?:s|ed|ing)?|push(?:es|ed|ing)?|dolly|move|moves|get) +in(?:to|wards?)?\b|\bclose[- ]?up\b|\bcloser\b/],
  ['zoom-out', /\b(?:zoom(?:s|ed|ing)?|pull(?:s|ed|ing)?|dolly|draw(?:s|ing)?) +(?:out|back|away)\b|\bwide(?:r| shot)\b/],
  ['pan-left', /\b(?:pan(?:s|ned|ning)?|track(?:s|ing)?|truck(?:s|ing)?|sweep(?:s|ing)?) +(?:to +the +)?left(?:wards?)?\b|\bright +to +left\b/],
  ['pan-right', /\b(?:pan(?:s|ned|ning)?|track(?:s|ing)?|truck(?:s|ing)?|sweep(?:s|ing)?) +(?:to +the +)?right(?:wards?)?\b|\bleft +to +right\b/],
  ['pan-up', /\b(?:pan(?:s|ned|ning)?|tilt(?:s|ed|ing)?|crane(?:s|d)?) +up(?:wards?)?\b|\bbottom +to +top\b/],
  ['pan-down', /\b(?:pan(?:s|ned|ning)?|tilt(?:s|ed|ing)?|crane(?:s|d)?) +down(?:wards?)?\b|\btop +to +bottom\b/],
];

// Story language: what characters do, and the move a storyboard artist would pair with it.
const ACTION_WORDS: Vocabulary = [
  ['pan-up', /\b(?:climb(?:s|ed|ing)?|ris(?:e|es|ing)|rose|ascend(?:s|ed|ing)?|soar(?:s|ed|ing)?|fl(?:y|ies|ew) +up|look(?:s|ed)? +up|leap(?:s|t|ed)? +up|float(?:s|ed|ing)? +up)\b/],
  ['pan-down', /\b(?:fall(?:s|ing)?|fell|descend(?:s|ed|ing)?|sink(?:s|ing)?|sank|div(?:e|es|ing)|dove|drop(?:s|ped)?|tumbl(?:e|es|ed|ing)|look(?:s|ed)? +down)\b/],
  ['zoom-out', /\b(?:flee(?:s|ing)?|fled|escap(?:e|es|ed|ing)|leav(?:e|es|ing)|left +(?:the|his|her|their)|depart(?:s|ed|ing)?|retreat(?:s|ed|ing)?|vanish(?:es|ed|ing)?|disappear(?:s|ed|ing)?|(?:run|runs|ran|walk|walks|walked|wander|wanders|wandered) +(?:away|off))\b/],
  ['pan-left', /\b(?:to|toward|towards) +the +left\b|\bwest(?:ward)?\b/],
  ['pan-right', /\b(?:to|toward|towards) +the +right\b|\beast(?:ward)?\b/],
  ['zoom-in', /\b(?:approach(?:es|ed|ing)?|toward|towards|lean(?:s|ed)? +in|whisper(?:s|ed|ing)?|star(?:e|es|ed|ing) +at|gaz(?:e|es|ed|ing) +at|peer(?:s|ed|ing)?|discover(?:s|ed|ing)?|notic(?:e|es|ed|ing)|reach(?:es|ed|ing)? +for)\b/],
];

// "don't zoom in", "no pan left", "without zooming": a mention that is a refusal, not a request.
const NEGATION = /\b(?:no|not|don'?t|do +not|never|without|stop)\s+(?:\w+\s+){0,1}$/;

function firstMatch(text: string, vocabulary: Vocabulary): { motion: CameraMotion; phrase: string } | undefined {
  const lower = text.toLowerCase().replace(/[’`]/g, "'").replace(/\s+/g, ' ');
  let best: { motion: CameraMotion; phrase: string; at: number } | undefined;
  for (const [motion, pattern] of vocabulary) {
    const global = new RegExp(pattern.source, 'g');
    for (const m of lower.matchAll(global)) {
      if (NEGATION.test(lower.slice(0, m.index))) continue;
      if (!best || m.index < best.at) best = { motion, phrase: m[0], at: m.index };
      break;
    }
  }
  return best && { motion: best.motion, phrase: best.phrase };
}

/**
 * The camera move named in `text` in camera language, or undefined.
 * @example parseCameraMotion('slowly zoom in on the lantern') // { motion: 'zoom-in', phrase: 'zoom in' }
 */
export function parseCameraMotion(text: string): { motion: CameraMotion; phrase: string } | undefined {
  return firstMatch(text, CAMERA_WORDS);
}

/**
 * Chooses the move for a panel: the user's words win, then the scene's action (camera words first,
 * then story verbs), else a gentle push in, the classic Ken Burns default.
 * @example chooseCameraMotion({ action: 'The fox climbs the vine' }) // { motion: 'pan-up', source: 'action', phrase: 'climbs' }
 */
export function chooseCameraMotion(input: { userWords?: string; action?: string }): MotionChoice {
  const fromUser = input.userWords ? firstMatch(input.userWords, CAMERA_WORDS) ?? firstMatch(input.userWords, ACTION_WORDS) : undefined;
  if (fromUser) return { ...fromUser, source: 'user' };
  const fromAction = input.action ? firstMatch(input.action, CAMERA_WORDS) ?? firstMatch(input.action, ACTION_WORDS) : undefined;
  if (fromAction) return { ...fromAction, source: 'action' };
  return { motion: 'zoom-in', source: 'default' };
}

/** Smoothstep: starts and stops gently, so a loop or a cut does not jerk. */
export function easeInOut(t: number): number {
  const c = Math.min(1, Math.max(0, t));
  return c * c * (3 - 2 * c);
}

/**
 * The crop window of `motion` at time t in [0, 1]. `intensity` is how far the move goes: a zoom ends
 * at 1 / (1 + intensity) of the panel; a pan shows 1 / (1 + intensity) of it and slides across the
 * rest. The window keeps the panel's aspect ratio and always stays inside it.
 */
export function cameraWindow(motion: CameraMotion, t: number, intensity = 0.2): CropWindow {
  const e = easeInOut(t);
  const tight = 1 / (1 + Math.max(0, intensity));
  if (motion === 'zoom-in' || motion === 'zoom-out') {
    const s = motion === 'zoom-in' ? 1 + (tight - 1) * e : tight + (1 - tight) * e;
    return { x: (1 - s) / 2, y: (1 - s) / 2, width: s, height: s };
  }
  const slack = 1 - tight;
  const mid = slack / 2;
  // Panning left means the camera turns left: the window starts at the right and slides to the left.
  switch (motion) {
    case 'pan-left':
      return { x: slack * (1 - e), y: mid, width: tight, height: tight };
    case 'pan-right':
      return { x: slack * e, y: mid, width: tight, height: tight };
    case 'pan-up':
      return { x: mid, y: slack * (1 - e), width: tight, height: tight };
    case 'pan-down':
      return { x: mid, y: slack * e, width: tight, height: tight };
  }
}

/**
 * Ken Burns for a slideshow: a slow zoom with a drift toward one corner, alternating in and out and
 * turning the corner with the panel's index so consecutive panels do not all move the same way.
 */
export function kenBurnsWindow(t: number, index: number, intensity = 0.12): CropWindow {
  const e = easeInOut(t);
  const tight = 1 / (1 + Math.max(0, intensity));
  const zoomIn = index % 2 === 0;
  const s = zoomIn ? 1 + (tight - 1) * e : tight + (1 - tight) * e;
  const corner = [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
  ][index % 4]!;
  // Drift from the centre toward the corner while zoomed in (or back out of it when zooming out).
  const toward = zoomIn ? e : 1 - e;
  const centre = (1 - s) / 2;
  const x = centre + (corner[0]! * (1 - s) - centre) * toward;
  const y = centre + (corner[1]! * (1 - s) - centre) * toward;
  return { x, y, width: s, height: s };
}
