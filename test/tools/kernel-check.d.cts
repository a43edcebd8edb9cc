import type { Binding } from '../../binding';
import type { FloatCtor, Half } from './kernel-reference.cjs';

/** What the checker calls: the raw binding, or any object with the same three methods. */
export type CheckedBinding = Pick<Binding, 'forward' | 'backward' | 'addressOf'>;

export interface CheckOptions {
  /** Default: Float32Array, Float64Array, 'float16', 'bfloat16' (16-bit data as Uint16Array bits). */
  types?: (FloatCtor | Half)[];
  /** Default: 0.2, -0.3, 3, 0. */
  alphas?: number[];
  /** Every length 0..maxLength is checked; default 300. */
  maxLength?: number;
  seed?: number;
}

export interface CheckResult {
  passed: number;
  failed: number;
  /** One line per failed check: the path, dtype, alpha, length, positions and what differed. */
  failures: string[];
}

/** Every path (forward in place / into out, backward into out / into dy), each length, each position in a line, guarded. */
export declare function checkKernels(binding: CheckedBinding, options?: CheckOptions): CheckResult;

/** Every float16 and bfloat16 pattern through each path, for each of HALF_CASES' alphas; one check per type, alpha and path. */
export declare function checkAllPatterns(binding: CheckedBinding, options?: { halves?: Half[] }): CheckResult;
