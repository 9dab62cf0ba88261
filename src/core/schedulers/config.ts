/**
 * Scheduler configuration: one typed shape mirroring diffusers' scheduler_config.json (camelCase),
 * the per-class defaults diffusers uses when a key is absent, and the reader that turns a model
 * folder's scheduler_config.json into `{ name, config, warnings }`.
 *
 * Defaults are per scheduler because diffusers' are (DDIM clips samples and sets alpha to one, PNDM
 * does not, LCM ships SD's betas, ...). `schedulerConfigFromJson` returns only the keys the file
 * sets, like diffusers' `from_config` since it tracks `_use_default_values`: switching SD1.5's
 * PNDM config to Euler therefore gets Euler's own default spacing (linspace), as in diffusers.
 * Taleframe's one deliberate default change: dpmpp-2m uses Karras sigmas unless told otherwise.
 */
import { z } from 'zod';
import type { BetaSchedule } from './betas.js';
import type { TimestepSpacing } from './timesteps.js';

export type SchedulerName = 'ddim' | 'euler' | 'euler-ancestral' | 'dpmpp-2m' | 'pndm' | 'lcm';

/** Every supported scheduler, in the order the CLI and Discord choices show them. */
export const SCHEDULER_NAMES = ['euler', 'euler-ancestral', 'dpmpp-2m', 'ddim', 'pndm', 'lcm'] as const satisfies readonly SchedulerName[];

export type PredictionType = 'epsilon' | 'v_prediction';

export interface SchedulerConfig {
  numTrainTimesteps: number;
  betaStart: number;
  betaEnd: number;
  betaSchedule: BetaSchedule;
  trainedBetas?: number[];
  predictionType: PredictionType;
  timestepSpacing: TimestepSpacing;
  stepsOffset: number;
  /** DDIM/PNDM/LCM: alpha_bar "before" t = 0 is 1 (true) or alpha_bar_0 (false). */
  setAlphaToOne: boolean;
  /** DDIM/LCM: clip x0 to [-clipSampleRange, clipSampleRange]. */
  clipSample: boolean;
  clipSampleRange: number;
  /** Euler and DPM-Solver++: Karras et al. 2022 eq. (5) noise levels. */
  useKarrasSigmas: boolean;
  /** DDIM eq. (16) eta: 0 is deterministic DDIM, 1 is DDPM-like. Not a diffusers config key. */
  eta: number;
  /** PNDM: only true (PLMS, SD1.5's setting) is supported. */
  skipPrkSteps: boolean;
  /** DPM-Solver++: 1 or 2 (2M). */
  solverOrder: 1 | 2;
  /** DPM-Solver++: first-order final steps when N < 15 (stabilises few-step runs). */
  lowerOrderFinal: boolean;
  /** LCM: the schedule the model was distilled on. */
  originalInferenceSteps: number;
  /** LCM: c_skip/c_out use t * timestepScaling. */
  timestepScaling: number;
}

const BASE: SchedulerConfig = {
  numTrainTimesteps: 1000,
  betaStart: 0.0001,
  betaEnd: 0.02,
  betaSchedule: 'linear',
  predictionType: 'epsilon',
  timestepSpacing: 'linspace',
  stepsOffset: 0,
  setAlphaToOne: true,
  clipSample: false,
  clipSampleRange: 1,
  useKarrasSigmas: false,
  eta: 0,
  skipPrkSteps: true,
  solverOrder: 2,
  lowerOrderFinal: true,
  originalInferenceSteps: 50,
  timestepScaling: 10,
};

/** diffusers' class defaults (plus Taleframe's Karras default for dpmpp-2m). */
export const SCHEDULER_DEFAULTS: Readonly<Record<SchedulerName, Readonly<SchedulerConfig>>> = {
  ddim: { ...BASE, timestepSpacing: 'leading', clipSample: true, setAlphaToOne: true },
  euler: { ...BASE },
  'euler-ancestral': { ...BASE },
  'dpmpp-2m': { ...BASE, useKarrasSigmas: true },
  // diffusers' PNDM default is skip_prk_steps false; we only implement PLMS, so it is true here.
  pndm: { ...BASE, timestepSpacing: 'leading', setAlphaToOne: false },
  lcm: { ...BASE, betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear', timestepSpacing: 'leading' },
};

/** Stable Diffusion 1.x's shipped scheduler_config.json values (PNDMScheduler), for tools and tests. */
export const STABLE_DIFFUSION_V1: Partial<SchedulerConfig> = {
  betaStart: 0.00085,
  betaEnd: 0.012,
  betaSchedule: 'scaled_linear',
  setAlphaToOne: false,
  skipPrkSteps: true,
  stepsOffset: 1,
  clipSample: false,
};

const configSchema = z.object({
  numTrainTimesteps: z.number().int().min(2),
  betaStart: z.number().positive().lt(1),
  betaEnd: z.number().positive().lt(1),
  betaSchedule: z.enum(['linear', 'scaled_linear', 'squaredcos_cap_v2']),
  trainedBetas: z.array(z.number().gt(0).lt(1)).optional(),
  predictionType: z.enum(['epsilon', 'v_prediction']),
  timestepSpacing: z.enum(['leading', 'trailing', 'linspace']),
  stepsOffset: z.number().int().min(0),
  setAlphaToOne: z.boolean(),
  clipSample: z.boolean(),
  clipSampleRange: z.number().positive(),
  useKarrasSigmas: z.boolean(),
  eta: z.number().min(0).max(1),
  skipPrkSteps: z.literal(true, { message: 'only skip_prk_steps true (PLMS) is supported' }),
  solverOrder: z.union([z.literal(1), z.literal(2)]),
  lowerOrderFinal: z.boolean(),
  originalInferenceSteps: z.number().int().min(1),
  timestepScaling: z.number().positive(),
});

/** Fills `name`'s defaults under `partial` and validates; errors name the field and its value. */
export function resolveSchedulerConfig(name: SchedulerName, partial: Partial<SchedulerConfig> = {}): SchedulerConfig {
  const defaults = SCHEDULER_DEFAULTS[name];
  if (!defaults) throw new Error(`unknown scheduler "${String(name)}"; expected one of ${SCHEDULER_NAMES.join(', ')}`);
  const merged: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) merged[k] = v;
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join('.');
    const value = issue.path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown>)?.[k as PropertyKey], merged);
    throw new SchedulerConfigError(field, value, issue.message);
  }
  return parsed.data as SchedulerConfig;
}

/** A scheduler config value that fails validation; `field` is the camelCase key. */
export class SchedulerConfigError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`scheduler config field ${field} = ${JSON.stringify(value)} is invalid: ${reason}`);
    this.name = 'SchedulerConfigError';
  }
}
