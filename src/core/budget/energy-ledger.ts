/**
 * The energy ledger of a story: how many denoising steps its panels used, how many the step budget
 * saved against the default, and what that is in device-seconds and watt-hours. BudgetFusion
 * (arXiv 2412.05780) closes by asking "how much do humans perceptually gain ... per watt of energy?";
 * this is the number we can tell the group. The model is deliberately simple: energy = device power
 * (DEVICE_WATTS, the board's typical draw under load) x time spent in the UNet, with time = steps x
 * measured milliseconds per step. It ignores idle power and the text encoder / VAE, which do not
 * depend on the step count.
 */

/** One render (a draft with all its variants batched) as the ledger sees it. */
export interface LedgerEntry {
  stepsUsed: number;
  stepsSaved: number;
  /** Measured UNet milliseconds per step for this render's size and batch. */
  msPerStep: number;
}

export interface EnergyLedger {
  renders: number;
  stepsUsed: number;
  stepsSaved: number;
  deviceSeconds: number;
  savedDeviceSeconds: number;
  wattHours: number;
  savedWattHours: number;
  /** stepsSaved / (stepsUsed + stepsSaved), 0 when nothing ran. */
  savedShare: number;
}

/** Watt-hours for `seconds` at `watts`: W x s / 3600. */
export function wattHours(seconds: number, watts: number): number {
  return (seconds * watts) / 3600;
}

/**
 * Sums a story's renders.
 * @example energyLedger([{ stepsUsed: 18, stepsSaved: 32, msPerStep: 100 }], 250)
 *   // deviceSeconds 1.8, savedDeviceSeconds 3.2, savedWattHours 0.222
 */
export function energyLedger(entries: readonly LedgerEntry[], deviceWatts: number): EnergyLedger {
  if (!(deviceWatts > 0)) throw new RangeError(`deviceWatts ${deviceWatts} must be > 0`);
  let stepsUsed = 0;
  let stepsSaved = 0;
  let usedMs = 0;
  let savedMs = 0;
  for (const e of entries) {
    if (e.stepsUsed < 0 || e.stepsSaved < 0 || e.msPerStep < 0) {
      throw new RangeError(`ledger entry has a negative value: ${JSON.stringify(e)}`);
    }
    stepsUsed += e.stepsUsed;
    stepsSaved += e.stepsSaved;
    usedMs += e.stepsUsed * e.msPerStep;
    savedMs += e.stepsSaved * e.msPerStep;
  }
  const deviceSeconds = usedMs / 1000;
  const savedDeviceSeconds = savedMs / 1000;
  const total = stepsUsed + stepsSaved;
  return {
    renders: entries.length,
    stepsUsed,
    stepsSaved,
    deviceSeconds,
    savedDeviceSeconds,
    wattHours: wattHours(deviceSeconds, deviceWatts),
    savedWattHours: wattHours(savedDeviceSeconds, deviceWatts),
    savedShare: total === 0 ? 0 : stepsSaved / total,
  };
}
