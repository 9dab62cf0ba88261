/**
 * LCM's guidance embedding for the UNet's `timestep_cond` input. Latent Consistency Models distil
 * classifier-free guidance into the UNet, which then takes the scale as a sinusoidal embedding
 * instead of a second batch (Luo et al. 2023, §4.2; diffusers get_guidance_scale_embedding):
 * w = (g - 1) * 1000, e_j = w * exp(-j * ln(10000) / (half - 1)) for j < half = dim / 2,
 * embedding = [sin(e), cos(e)] (zero-padded when dim is odd).
 */

/** The [dim] embedding of guidance scale `guidance`. */
export function guidanceEmbedding(guidance: number, dim: number): Float32Array {
  const w = (guidance - 1) * 1000;
  const half = Math.floor(dim / 2);
  const out = new Float32Array(dim);
  const rate = Math.log(10000) / (half - 1);
  for (let j = 0; j < half; j++) {
    const e = w * Math.exp(-j * rate);
    out[j] = Math.sin(e);
    out[half + j] = Math.cos(e);
  }
  return out;
}
