import type { Half } from './kernel-reference.cjs';
import type { SlopeData } from './slopes-reference.cjs';

export interface ConfigCase {
  name: string;
  type: 'float32' | 'float64' | 'float16' | 'bfloat16';
  C: number;
  S: number;
  N: number;
}
export declare const CASES: ConfigCase[];
/** Case k's seeded inputs, the same in every process. */
export declare function inputs(k: number): ConfigCase & { x: SlopeData; dy: SlopeData; slopes: Float64Array; half: Half | undefined };
/** sha256 of a view's bytes, hex. */
export declare function hashOf(view: ArrayBufferView): string;
