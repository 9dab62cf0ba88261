// The camera-motion vocabulary and paths (pure): user words beat the action, negations are skipped,
// every window stays inside the panel and moves the way its name says.
import { describe, expect, it } from 'vitest';
import { CAMERA_MOTIONS, cameraWindow, chooseCameraMotion, kenBurnsWindow, parseCameraMotion, type CropWindow } from '../src/core/camera-motion.js';

const inside = (w: CropWindow) => w.x >= -1e-9 && w.y >= -1e-9 && w.x + w.width <= 1 + 1e-9 && w.y + w.height <= 1 + 1e-9;

describe('camera motion vocabulary', () => {
  it.each([
    ['zoom in on the lantern', 'zoom-in'],
    ['slowly ZOOM OUT', 'zoom-out'],
    ['pull back to reveal the castle', 'zoom-out'],
    ['pan left across the market', 'pan-left'],
    ['pan to the right', 'pan-right'],
    ['tilt up to the sky', 'pan-up'],
    ['pan down', 'pan-down'],
    ['a close-up of her hands', 'zoom-in'],
    ['sweep from left to right', 'pan-right'],
  ] as const)('reads "%s" as %s', (text, motion) => {
    expect(parseCameraMotion(text)?.motion).toBe(motion);
  });

  it('takes the first move named and skips refused ones', () => {
    expect(parseCameraMotion('zoom in, then pan left')?.motion).toBe('zoom-in');
    expect(parseCameraMotion("don't zoom in, pan left instead")?.motion).toBe('pan-left');
    expect(parseCameraMotion('no zoom out please')).toBeUndefined();
    expect(parseCameraMotion('a quiet evening')).toBeUndefined();
  });

  it('chooses from user words first, then the action, then a gentle push in', () => {
    expect(chooseCameraMotion({ userWords: 'pan right', action: 'The fox climbs the vine' })).toEqual({ motion: 'pan-right', source: 'user', phrase: 'pan right' });
    expect(chooseCameraMotion({ action: 'The fox climbs the vine' })).toEqual({ motion: 'pan-up', source: 'action', phrase: 'climbs' });
    expect(chooseCameraMotion({ action: 'The grapes fall to the ground' }).motion).toBe('pan-down');
    expect(chooseCameraMotion({ action: 'She flees into the night' }).motion).toBe('zoom-out');
    expect(chooseCameraMotion({ action: 'He walks towards the left gate' }).motion).toBe('pan-left');
    expect(chooseCameraMotion({ action: 'The knight approaches the dragon' }).motion).toBe('zoom-in');
    expect(chooseCameraMotion({ userWords: 'make it pretty', action: 'They sit by the fire' })).toEqual({ motion: 'zoom-in', source: 'default' });
  });
});

describe('camera paths', () => {
  it('keeps every window inside the panel with the panel aspect', () => {
    for (const motion of CAMERA_MOTIONS) {
      for (let i = 0; i <= 20; i++) {
        const w = cameraWindow(motion, i / 20, 0.3);
        expect(inside(w), `${motion} at ${i / 20}`).toBe(true);
        expect(w.width).toBeCloseTo(w.height, 12);
      }
    }
    for (let index = 0; index < 4; index++) for (let i = 0; i <= 10; i++) expect(inside(kenBurnsWindow(i / 10, index))).toBe(true);
  });

  it('moves the way each name says, easing in and out', () => {
    expect(cameraWindow('zoom-in', 0)).toEqual({ x: 0, y: 0, width: 1, height: 1 });
    expect(cameraWindow('zoom-in', 1, 0.25).width).toBeCloseTo(0.8, 12);
    expect(cameraWindow('zoom-out', 1)).toEqual({ x: 0, y: 0, width: 1, height: 1 });
    expect(cameraWindow('pan-left', 0).x).toBeGreaterThan(cameraWindow('pan-left', 1).x);
    expect(cameraWindow('pan-right', 0).x).toBeLessThan(cameraWindow('pan-right', 1).x);
    expect(cameraWindow('pan-up', 0).y).toBeGreaterThan(cameraWindow('pan-up', 1).y);
    expect(cameraWindow('pan-down', 0).y).toBeLessThan(cameraWindow('pan-down', 1).y);
    // Smoothstep: the first and last tenth move far less than the middle tenth.
    const step = (a: number, b: number) => cameraWindow('pan-right', b).x - cameraWindow('pan-right', a).x;
    expect(step(0, 0.1)).toBeLessThan(step(0.45, 0.55) / 3);
    expect(step(0.9, 1)).toBeLessThan(step(0.45, 0.55) / 3);
  });

  it('alternates Ken Burns zooms and corners per panel', () => {
    expect(kenBurnsWindow(1, 0).width).toBeLessThan(1);
    expect(kenBurnsWindow(1, 1).width).toBeCloseTo(1, 12);
    expect(kenBurnsWindow(1, 0)).not.toEqual(kenBurnsWindow(1, 2));
  });
});
