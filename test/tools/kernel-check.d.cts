import type { Binding } from '../../binding';

/** What the checker calls: the raw binding, or any object with the same three methods. */
export type CheckedBinding = Pick<Binding, 'forward' | 'backward' | 'addressOf'>;

export interface CheckOptions {
  /** Default: Float32Array and Float64Array. */
  types?: Array<Float32ArrayConstructor | Float64ArrayConstructor>;
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
