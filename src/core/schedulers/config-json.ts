/**
 * Reads a model folder's scheduler/scheduler_config.json (diffusers format: `_class_name` plus
 * snake_case keys) into Taleframe's scheduler name and a camelCase partial config. Only keys the
 * file sets are returned, so `createScheduler(otherName, config)` fills the other scheduler's own
 * defaults, as diffusers' `from_config` does. Classes we do not implement map to the closest one
 * we do, with a warning the engine can pass on to the user; settings we ignore are warned about too.
 */
import { z } from 'zod';
import { resolveSchedulerConfig, SchedulerConfigError, type SchedulerConfig, type SchedulerName } from './config.js';

export interface SchedulerConfigFromJson {
  name: SchedulerName;
  /** Only the keys the file sets (camelCase); pass to createScheduler. */
  config: Partial<SchedulerConfig>;
  /** Human-readable notes: substituted classes, ignored settings. */
  warnings: string[];
}

const CLASS_NAMES: Record<string, SchedulerName> = {
  DDIMScheduler: 'ddim',
  EulerDiscreteScheduler: 'euler',
  EulerAncestralDiscreteScheduler: 'euler-ancestral',
  DPMSolverMultistepScheduler: 'dpmpp-2m',
  PNDMScheduler: 'pndm',
  LCMScheduler: 'lcm',
};

/** Classes we do not implement -> closest supported one (same noise parameterisation). */
const SUBSTITUTES: Record<string, SchedulerName> = {
  LMSDiscreteScheduler: 'euler', // same sigma schedule; LMS is a 4th-order multistep over it
  HeunDiscreteScheduler: 'euler',
  KDPM2DiscreteScheduler: 'euler',
  KDPM2AncestralDiscreteScheduler: 'euler-ancestral',
  DDPMScheduler: 'ddim',
  DPMSolverSinglestepScheduler: 'dpmpp-2m',
  DEISMultistepScheduler: 'dpmpp-2m',
  UniPCMultistepScheduler: 'dpmpp-2m',
};

/** snake_case key -> [camelCase key, value schema]. */
const KEYS = {
  num_train_timesteps: ['numTrainTimesteps', z.number()],
  beta_start: ['betaStart', z.number()],
  beta_end: ['betaEnd', z.number()],
  beta_schedule: ['betaSchedule', z.string()],
  trained_betas: ['trainedBetas', z.array(z.number())],
  prediction_type: ['predictionType', z.string()],
  timestep_spacing: ['timestepSpacing', z.string()],
  steps_offset: ['stepsOffset', z.number()],
  set_alpha_to_one: ['setAlphaToOne', z.boolean()],
  clip_sample: ['clipSample', z.boolean()],
  clip_sample_range: ['clipSampleRange', z.number()],
  use_karras_sigmas: ['useKarrasSigmas', z.boolean()],
  skip_prk_steps: ['skipPrkSteps', z.boolean()],
  solver_order: ['solverOrder', z.number()],
  lower_order_final: ['lowerOrderFinal', z.boolean()],
  original_inference_steps: ['originalInferenceSteps', z.number()],
  timestep_scaling: ['timestepScaling', z.number()],
} as const;

/** Settings we do not implement: warn when the file sets them to anything but this value. */
const IGNORED_UNLESS: Record<string, unknown> = {
  thresholding: false,
  rescale_betas_zero_snr: false,
  interpolation_type: 'linear',
  use_exponential_sigmas: false,
  use_beta_sigmas: false,
  euler_at_final: false,
  final_sigmas_type: 'zero',
  timestep_type: 'discrete',
  algorithm_type: 'dpmsolver++',
  solver_type: 'midpoint',
  variance_type: null,
};

/**
 * Parses scheduler_config.json's content (already JSON.parse'd).
 * Example: `schedulerConfigFromJson({ _class_name: 'PNDMScheduler', steps_offset: 1 })`
 *   -> `{ name: 'pndm', config: { stepsOffset: 1 }, warnings: [] }`.
 */
export function schedulerConfigFromJson(json: unknown): SchedulerConfigFromJson {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('scheduler_config.json must hold a JSON object');
  }
  const raw = json as Record<string, unknown>;
  const className = raw._class_name;
  if (typeof className !== 'string') throw new Error('scheduler_config.json has no _class_name string');
  const warnings: string[] = [];
  let name = CLASS_NAMES[className];
  if (!name) {
    name = SUBSTITUTES[className];
    if (!name) {
      throw new Error(
        `scheduler_config.json _class_name "${className}" is not supported; expected one of ` +
          `${[...Object.keys(CLASS_NAMES), ...Object.keys(SUBSTITUTES)].join(', ')}`,
      );
    }
    warnings.push(`${className} is not implemented; using ${name} (closest supported scheduler)`);
  }

  const config: Record<string, unknown> = {};
  for (const [snake, [camel, schema]] of Object.entries(KEYS)) {
    const value = raw[snake];
    if (value === undefined || value === null) continue;
    const parsed = (schema as z.ZodType).safeParse(value);
    if (!parsed.success) {
      throw new Error(`scheduler_config.json ${snake} = ${JSON.stringify(value)} is invalid: ${parsed.error.issues[0].message}`);
    }
    config[camel] = parsed.data;
  }
  if (config.skipPrkSteps === false) {
    warnings.push('skip_prk_steps false (PNDM Runge-Kutta warm-up) is not implemented; using PLMS warm-up');
    delete config.skipPrkSteps;
  }
  for (const [key, expected] of Object.entries(IGNORED_UNLESS)) {
    if (key in raw && raw[key] !== expected && raw[key] !== undefined) {
      if (key === 'variance_type' || (key === 'algorithm_type' && name !== 'dpmpp-2m')) continue;
      warnings.push(`${key} = ${JSON.stringify(raw[key])} is not supported and is ignored`);
    }
  }

  try {
    // Validate values now (the class's own defaults fill the rest) so a bad file fails at load.
    resolveSchedulerConfig(name, config as Partial<SchedulerConfig>);
  } catch (err) {
    if (!(err instanceof SchedulerConfigError)) throw err;
    const snake = Object.entries(KEYS).find(([, [camel]]) => camel === err.field.split('.')[0])?.[0] ?? err.field;
    throw new Error(`scheduler_config.json ${snake} = ${JSON.stringify(err.value)} is invalid: ${err.reason}`);
  }
  return { name, config: config as Partial<SchedulerConfig>, warnings };
}
