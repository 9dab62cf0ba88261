/**
 * Reading diffusers' scheduler_config.json and validating configs: class-name mapping, snake_case
 * keys, per-scheduler defaults (diffusers' from_config semantics) and errors that name the field.
 */
import { describe, expect, it } from 'vitest';
import {
  createScheduler,
  isSchedulerName,
  resolveSchedulerConfig,
  SCHEDULER_LABELS,
  SCHEDULER_NAMES,
  schedulerConfigFromJson,
} from '../src/core/schedulers/index.js';

/** Stable Diffusion 1.5's shipped scheduler/scheduler_config.json. */
const SD15 = {
  _class_name: 'PNDMScheduler',
  _diffusers_version: '0.6.0',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  num_train_timesteps: 1000,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  steps_offset: 1,
  trained_betas: null,
  clip_sample: false,
};

describe('schedulerConfigFromJson', () => {
  it('maps SD1.5 PNDM config to camelCase keys it sets, nothing more', () => {
    const { name, config, warnings } = schedulerConfigFromJson(SD15);
    expect(name).toBe('pndm');
    expect(config).toEqual({
      betaEnd: 0.012,
      betaSchedule: 'scaled_linear',
      betaStart: 0.00085,
      numTrainTimesteps: 1000,
      setAlphaToOne: false,
      skipPrkSteps: true,
      stepsOffset: 1,
      clipSample: false,
    });
    expect(warnings).toEqual([]);
  });
  it('switching scheduler keeps that scheduler\'s own defaults (Euler: linspace, init sigma 14.6146)', () => {
    const { config } = schedulerConfigFromJson(SD15);
    const euler = createScheduler('euler', config);
    euler.setTimesteps(30);
    expect(euler.config.timestepSpacing).toBe('linspace');
    expect(euler.initNoiseSigma).toBeCloseTo(14.6146, 3);
    expect(createScheduler('ddim', config).config.timestepSpacing).toBe('leading');
    expect(createScheduler('dpmpp-2m', config).config.useKarrasSigmas).toBe(true);
  });
  it('maps every supported class and substitutes LMS with a warning', () => {
    const names = ['DDIMScheduler', 'EulerDiscreteScheduler', 'EulerAncestralDiscreteScheduler', 'DPMSolverMultistepScheduler', 'PNDMScheduler', 'LCMScheduler'].map(
      (c) => schedulerConfigFromJson({ _class_name: c }).name,
    );
    expect(names).toEqual(['ddim', 'euler', 'euler-ancestral', 'dpmpp-2m', 'pndm', 'lcm']);
    const lms = schedulerConfigFromJson({ _class_name: 'LMSDiscreteScheduler', prediction_type: 'v_prediction' });
    expect(lms.name).toBe('euler');
    expect(lms.config.predictionType).toBe('v_prediction');
    expect(lms.warnings[0]).toMatch(/LMSDiscreteScheduler is not implemented; using euler/);
  });
  it('warns about settings it ignores', () => {
    const r = schedulerConfigFromJson({ _class_name: 'DPMSolverMultistepScheduler', algorithm_type: 'sde-dpmsolver++', thresholding: true });
    expect(r.warnings.join('\n')).toMatch(/algorithm_type/);
    expect(r.warnings.join('\n')).toMatch(/thresholding/);
    const p = schedulerConfigFromJson({ _class_name: 'PNDMScheduler', skip_prk_steps: false });
    expect(p.warnings[0]).toMatch(/skip_prk_steps/);
    expect(p.config.skipPrkSteps).toBeUndefined();
  });
  it('gives clear errors naming the bad field', () => {
    expect(() => schedulerConfigFromJson('nope')).toThrow(/JSON object/);
    expect(() => schedulerConfigFromJson({})).toThrow(/_class_name/);
    expect(() => schedulerConfigFromJson({ _class_name: 'FancyScheduler' })).toThrow(/FancyScheduler.*not supported/);
    expect(() => schedulerConfigFromJson({ _class_name: 'DDIMScheduler', beta_end: 'abc' })).toThrow(/beta_end = "abc"/);
    expect(() => schedulerConfigFromJson({ _class_name: 'DDIMScheduler', prediction_type: 'sample' })).toThrow(/prediction_type = "sample"/);
    expect(() => schedulerConfigFromJson({ _class_name: 'DDIMScheduler', timestep_spacing: 'cosine' })).toThrow(/timestep_spacing/);
  });
});

describe('resolveSchedulerConfig / createScheduler', () => {
  it('fills per-class diffusers defaults', () => {
    expect(resolveSchedulerConfig('ddim')).toMatchObject({ clipSample: true, setAlphaToOne: true, timestepSpacing: 'leading', betaSchedule: 'linear' });
    expect(resolveSchedulerConfig('pndm')).toMatchObject({ setAlphaToOne: false, timestepSpacing: 'leading' });
    expect(resolveSchedulerConfig('lcm')).toMatchObject({ betaSchedule: 'scaled_linear', betaStart: 0.00085, originalInferenceSteps: 50, timestepScaling: 10 });
  });
  it('rejects bad values with the field name', () => {
    expect(() => createScheduler('euler', { numTrainTimesteps: 0 })).toThrow(/numTrainTimesteps = 0/);
    expect(() => createScheduler('ddim', { eta: 2 })).toThrow(/eta = 2/);
    expect(() => createScheduler('nope' as never, {})).toThrow(/unknown scheduler "nope"/);
  });
  it('lists names and labels for the CLI and Discord', () => {
    expect(SCHEDULER_NAMES).toHaveLength(6);
    for (const n of SCHEDULER_NAMES) {
      expect(SCHEDULER_LABELS[n]).toBeTruthy();
      expect(createScheduler(n).name).toBe(n);
    }
    expect(isSchedulerName('dpmpp-2m')).toBe(true);
    expect(isSchedulerName('lms')).toBe(false);
  });
});
