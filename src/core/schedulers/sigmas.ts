/**
 * Sigma-space helpers for the Karras-style schedulers (Euler, Euler ancestral, DPM-Solver++):
 * numpy-compatible linear interpolation of the training sigmas at fractional timesteps, the Karras
 * et al. 2022 eq. (5) noise levels, and diffusers' inverse map sigma -> fractional timestep
 * (linear interpolation in log sigma between the two neighbouring training timesteps).
 *
 * | code      | paper (Karras et al. 2022)          |
 * | --------- | ----------------------------------- |
 * | sigma     | sigma_i                             |
 * | rho       | rho (7)                             |
 * | logSigmas | log sigma_t at training timesteps t |
 */

/** numpy interp(x, arange(fp.length), fp): piecewise linear, clamped at both ends. */
export function interpAtIndex(x: number, fp: ArrayLike<number>): number {
  const n = fp.length;
  if (x <= 0) return fp[0];
  if (x >= n - 1) return fp[n - 1];
  const i = Math.floor(x);
  const w = x - i;
  return fp[i] + w * (fp[i + 1] - fp[i]);
}

/**
 * Karras et al. 2022 eq. (5): sigma_i = (sigma_max^(1/rho) + i/(N-1) (sigma_min^(1/rho) -
 * sigma_max^(1/rho)))^rho for i = 0..N-1 (descending).
 */
export function karrasSigmas(sigmaMin: number, sigmaMax: number, n: number, rho = 7): number[] {
  const minInv = sigmaMin ** (1 / rho);
  const maxInv = sigmaMax ** (1 / rho);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const ramp = n === 1 ? 0 : i / (n - 1);
    out.push((maxInv + ramp * (minInv - maxInv)) ** rho);
  }
  return out;
}

/**
 * Fractional training timestep whose (log-interpolated) sigma is `sigma`, as diffusers'
 * `_sigma_to_t`: find the last t with log sigma_t <= log sigma, clamp to [0, T-2], interpolate.
 */
export function sigmaToTimestep(sigma: number, logSigmas: ArrayLike<number>): number {
  const logSigma = Math.log(Math.max(sigma, 1e-10));
  const n = logSigmas.length;
  let low = 0;
  for (let i = 0; i < n; i++) if (logSigmas[i] <= logSigma) low = i;
  low = Math.min(low, n - 2);
  const lo = logSigmas[low];
  const hi = logSigmas[low + 1];
  const w = Math.min(Math.max((lo - logSigma) / (lo - hi), 0), 1);
  return (1 - w) * low + w * (low + 1);
}
