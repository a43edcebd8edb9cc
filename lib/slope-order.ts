// The fixed order in which the slope gradient is summed (the README's "The slope
// gradient's order"), as lengths: the same numbers as native/slopes.cc, so that the JS
// backend gives the native bits. Element i of data with C slopes and spatial size S has
// channel floor(i / S) % C; P = C * S.

/** Below this spatial size an element's gradient slot is its place in the pattern (i % L); from it, its place in its channel run. */
export const RUN_SLOTS_MIN_SPATIAL = 32;
/** Slots per channel in the run regime: element s of a run adds to slot s % 32. */
export const RUN_SLOTS = 32;

const gcd = (a: number, b: number): number => {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
};

/**
 * The period regime's slot count L: P widened to lcm(P, 64) when that is at most 4096
 * (else P itself), then repeated to at least 1024 elements.
 */
export function patternLength(period: number): number {
  const lcm = (period / gcd(period, 64)) * 64;
  const q = lcm <= 4096 ? lcm : period;
  return q * Math.ceil(1024 / q);
}

/**
 * Gradient blocks: whole units (L elements, or one run of S in the run regime), at
 * least 65536 elements, at most 64 blocks, and at least 16 elements per channel.
 */
export function blockLength(length: number, channels: number, spatial: number): number {
  const unit = spatial < RUN_SLOTS_MIN_SPATIAL ? patternLength(channels * spatial) : spatial;
  const units = Math.max(Math.ceil(65536 / unit), Math.ceil(length / (64 * unit)), Math.ceil((16 * channels) / unit));
  return unit * units;
}
