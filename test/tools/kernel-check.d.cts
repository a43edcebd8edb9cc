import type { Binding } from '../../binding';
import type { FloatCtor, Half } from './kernel-reference.cjs';

/** What the checker calls: the raw binding, or any object with the same three methods. */
export type CheckedBinding = Pick<Binding, 'forward' | 'backward' | 'addressOf'>;
/** What the slope checker calls: the raw binding, or any object with these three methods. */
export type CheckedSlopesBinding = Pick<Binding, 'forwardSlopes' | 'backwardSlopes' | 'addressOf'>;

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

/** A slope count, a spatial size and the k of the lengths k * C * S checked; `finite`: finite data only. */
export interface SlopeShape {
  C: number;
  S: number;
  ks: number[];
  finite?: boolean;
}
export declare const SLOPE_SHAPES: SlopeShape[];
/** Shapes of two gradient blocks, checked on the gradient paths (into dy and into x with alphaGrad). */
export declare const SLOPE_BLOCK_SHAPES: SlopeShape[];

export interface SlopeCheckOptions {
  /** Default: Float32Array, Float64Array, 'float16', 'bfloat16'. */
  types?: (FloatCtor | Half)[];
  /** Default: SLOPE_SHAPES, every path (forwardSlopes in place / into out, backwardSlopes into dy / out / x, each with and without alphaGrad). */
  shapes?: SlopeShape[];
  /** Default: SLOPE_BLOCK_SHAPES. */
  blockShapes?: SlopeShape[];
  /** The element types of the block shapes; default Float32Array, Float64Array. */
  blockTypes?: (FloatCtor | Half)[];
  seed?: number;
}

/**
 * forwardSlopes and backwardSlopes (with and without alphaGrad) against
 * slopes-reference.cjs: every path, guarded views at shifting line positions, alphaGrad
 * guarded and filled with garbage first. One failure line per path, type and length:
 * "<path> <type> C=.. S=.. n=.. slopes=.. pos=..: <problem>".
 */
export declare function checkSlopes(binding: CheckedSlopesBinding, options?: SlopeCheckOptions): CheckResult;
