/**
 * Region words -> an inpaint mask (255 = repaint): "top left", "left half", "top third", "center",
 * "bottom", "whole"... so a member can say where to change a draft without painting. Pure geometry
 * on a GrayImage; unknown words return undefined with the list of words that work.
 */
import type { GrayImage } from '../image.js';

/** A rectangle in fractions of the picture: [left, top, right, bottom], each 0..1. */
type Box = [number, number, number, number];

const BOXES: Record<string, Box> = {
  whole: [0, 0, 1, 1],
  'left half': [0, 0, 0.5, 1],
  'right half': [0.5, 0, 1, 1],
  'top half': [0, 0, 1, 0.5],
  'bottom half': [0, 0.5, 1, 1],
  'top left': [0, 0, 0.5, 0.5],
  'top right': [0.5, 0, 1, 0.5],
  'bottom left': [0, 0.5, 0.5, 1],
  'bottom right': [0.5, 0.5, 1, 1],
  'top third': [0, 0, 1, 1 / 3],
  'middle third': [0, 1 / 3, 1, 2 / 3],
  'bottom third': [0, 2 / 3, 1, 1],
  'left third': [0, 0, 1 / 3, 1],
  'right third': [2 / 3, 0, 1, 1],
  center: [0.25, 0.25, 0.75, 0.75],
};

const SYNONYMS: Record<string, string> = {
  all: 'whole', everything: 'whole', 'whole picture': 'whole', centre: 'center', middle: 'center',
  left: 'left half', right: 'right half', top: 'top half', bottom: 'bottom half', sky: 'top third',
  ground: 'bottom third', 'upper left': 'top left', 'upper right': 'top right', 'lower left': 'bottom left',
  'lower right': 'bottom right', 'left top': 'top left', 'right top': 'top right', 'left bottom': 'bottom left',
  'right bottom': 'bottom right', 'upper half': 'top half', 'lower half': 'bottom half',
};

/** The region names regionMask understands, for help texts and slash-command choices. */
export const REGION_NAMES = Object.keys(BOXES);

/** Canonical name of a region phrase ("Upper-Left corner" -> "top left"), or undefined. */
export function canonicalRegion(words: string): string | undefined {
  const clean = words.toLowerCase().replace(/[-_]/g, ' ').replace(/\b(the|corner|side|part|of|picture|image)\b/g, ' ').replace(/\s+/g, ' ').trim();
  if (clean in BOXES) return clean;
  return SYNONYMS[clean];
}

/**
 * The mask of a region, or undefined when the words name no region.
 * @example regionMask('top left', 64, 64)!.data[0] // 255
 */
export function regionMask(words: string, width: number, height: number): GrayImage | undefined {
  const name = canonicalRegion(words);
  if (!name) return undefined;
  const [l, t, r, b] = BOXES[name]!;
  const x0 = Math.round(l * width), x1 = Math.round(r * width), y0 = Math.round(t * height), y1 = Math.round(b * height);
  const data = new Uint8Array(width * height);
  for (let y = y0; y < y1; y++) data.fill(255, y * width + x0, y * width + x1);
  return { width, height, data };
}
