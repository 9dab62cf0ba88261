// Pure parts of draft messages: when a waiting draft's queue position is worth re-showing, and how
// steps and time saved read in a done message ("8 of 50 steps · saved 140 ms").
import { describe, expect, it } from 'vitest';
import { duration, stepsLine } from '../src/discord/drafts/draft-view.js';
import { ETA_REFRESH_MS, worthRefreshing } from '../src/discord/drafts/queue-watch.js';

describe('worthRefreshing', () => {
  const last = { position: 3, etaMs: 60_000, at: 1_000_000 };
  it('re-shows a new place in line at once and a first sighting', () => {
    expect(worthRefreshing(undefined, { position: 3, etaDoneMs: 60_000 }, 1_000_100)).toBe(true);
    expect(worthRefreshing(last, { position: 2, etaDoneMs: 60_000 }, 1_000_100)).toBe(true);
  });
  it('leaves a drifting ETA alone until the refresh interval and a noticeable change', () => {
    expect(worthRefreshing(last, { position: 3, etaDoneMs: 30_000 }, last.at + ETA_REFRESH_MS - 1)).toBe(false);
    expect(worthRefreshing(last, { position: 3, etaDoneMs: 58_000 }, last.at + ETA_REFRESH_MS)).toBe(false);
    expect(worthRefreshing(last, { position: 3, etaDoneMs: 45_000 }, last.at + ETA_REFRESH_MS)).toBe(true);
    expect(worthRefreshing(last, { position: 3, etaDoneMs: null }, last.at + ETA_REFRESH_MS)).toBe(true);
  });
});

describe('stepsLine', () => {
  const budget = { predictedSteps: 20, defaultSteps: 50, savedSteps: 30, quality: 'balanced' as const, curve: [], reason: '' };
  it('shows predicted of default steps and the time saved from the result', () => {
    expect(stepsLine({ steps: 20, budget: { ...budget, msSaved: 3100 } })).toBe('20 of 50 steps · saved 3.1 s');
    expect(stepsLine({ steps: 20, budget: { ...budget, msSaved: 140 } })).toBe('20 of 50 steps · saved 140 ms');
    expect(stepsLine({ steps: 50, budget: { ...budget, predictedSteps: 50, savedSteps: 0, msSaved: 0 } })).toBe('50 of 50 steps');
    expect(stepsLine({ steps: 4 })).toBe('4 steps');
  });
  it('reads durations for people', () => {
    expect([duration(340), duration(3140), duration(150_000)]).toEqual(['340 ms', '3.1 s', '2.5 min']);
  });
});
