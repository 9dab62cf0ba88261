/**
 * Public surface of the schedulers: pick one by name, read a model's scheduler_config.json, and the
 * types the engine codes against. Everything else in this folder is internal.
 *
 * Typical engine use:
 *   const { name, config, warnings } = schedulerConfigFromJson(json);
 *   const s = createScheduler(request.scheduler ?? name, config);
 *   s.setTimesteps(steps);
 *   let x = noise.map((v) => v * s.initNoiseSigma);
 *   for (let i = 0; i < s.timesteps.length; i++) {
 *     const eps = unet(s.scaleModelInput(x, i), s.timesteps[i]);
 *     x = s.step(eps, i, x, rng).prevSample;
 *   }
 */
import { resolveSchedulerConfig, SCHEDULER_NAMES, type SchedulerConfig, type SchedulerName } from './config.js';
import { DdimScheduler } from './ddim.js';
import { DpmSolverPlusPlus2MScheduler } from './dpmpp-2m.js';
import { EulerAncestralScheduler } from './euler-ancestral.js';
import { EulerScheduler } from './euler.js';
import { LcmScheduler } from './lcm.js';
import { PndmScheduler } from './pndm.js';
import type { Scheduler } from './scheduler.js';

export type { Scheduler, SchedulerStepResult } from './scheduler.js';
export {
  SCHEDULER_DEFAULTS,
  SCHEDULER_NAMES,
  STABLE_DIFFUSION_V1,
  SchedulerConfigError,
  resolveSchedulerConfig,
  type PredictionType,
  type SchedulerConfig,
  type SchedulerName,
} from './config.js';
export { schedulerConfigFromJson, type SchedulerConfigFromJson } from './config-json.js';
export { DdimScheduler, DpmSolverPlusPlus2MScheduler, EulerAncestralScheduler, EulerScheduler, LcmScheduler, PndmScheduler };

/** Labels for CLI help and Discord choices, in SCHEDULER_NAMES order. */
export const SCHEDULER_LABELS: Readonly<Record<SchedulerName, string>> = {
  euler: 'Euler',
  'euler-ancestral': 'Euler ancestral (varied)',
  'dpmpp-2m': 'DPM++ 2M Karras',
  ddim: 'DDIM',
  pndm: 'PNDM / PLMS (SD 1.5 default)',
  lcm: 'LCM (LCM models only)',
};

/** True when `value` names a supported scheduler. */
export function isSchedulerName(value: unknown): value is SchedulerName {
  return typeof value === 'string' && (SCHEDULER_NAMES as readonly string[]).includes(value);
}

/**
 * A scheduler by name; `config` keys that are absent get that scheduler's own diffusers defaults.
 * Throws SchedulerConfigError naming a bad field.
 */
export function createScheduler(name: SchedulerName, config: Partial<SchedulerConfig> = {}): Scheduler {
  const c = resolveSchedulerConfig(name, config);
  switch (name) {
    case 'ddim':
      return new DdimScheduler(c);
    case 'euler':
      return new EulerScheduler(c);
    case 'euler-ancestral':
      return new EulerAncestralScheduler(c);
    case 'dpmpp-2m':
      return new DpmSolverPlusPlus2MScheduler(c);
    case 'pndm':
      return new PndmScheduler(c);
    case 'lcm':
      return new LcmScheduler(c);
  }
}
