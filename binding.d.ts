// The raw native binding that lib/native.ts loads. Not public: the facade validates
// first, though the binding checks every argument again and throws the same codes.
type FloatArray = Float32Array | Float64Array;

export interface Binding {
  /** y = x > 0 ? x : alpha * x, into `out` (same type and length, not partly overlapping) or in place. */
  forward(x: FloatArray, alpha: number, out?: FloatArray): void;
  /** dx = x > 0 ? dy : alpha * dy, into `out` or into `dy`. */
  backward(dy: FloatArray, x: FloatArray, alpha: number, out?: FloatArray): void;
  /** Choose this environment's kernels: the best set at or below `cap`; null for an unknown cap. */
  configure(cap?: string): 'avx512' | 'avx2' | 'neon' | 'scalar' | null;
  /** The best kernel set this CPU supports, whatever the cap. */
  bestIsa(): 'avx512' | 'avx2' | 'neon' | 'scalar';
}
