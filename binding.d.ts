// The raw native binding that lib/native.ts loads. Not public: the facade validates
// first, though the binding checks every argument again and throws the same codes.
// 16-bit floats come as their bits, a Uint16Array, with `half` naming their type.
type FloatArray = Float32Array | Float64Array | Uint16Array;
type Half = 'float16' | 'bfloat16';
type Slopes = number | Float32Array | Float64Array;

export interface Binding {
  /** y = x > 0 ? x : alpha * x, into `out` (same type and length, not partly overlapping) or in place. */
  forward(x: FloatArray, alpha: number, out?: FloatArray, half?: Half): void;
  /** dx = x > 0 ? dy : alpha * dy, into `out` or into `dy`. */
  backward(dy: FloatArray, x: FloatArray, alpha: number, out?: FloatArray, half?: Half): void;
  /**
   * Per-channel slopes: element i's slope is slopes[floor(i / spatialSize) % C]; the
   * length must be a multiple of C * spatialSize. A number is one slope.
   */
  forwardSlopes(x: FloatArray, slopes: Slopes, spatialSize?: number, out?: FloatArray, half?: Half): void;
  /** The same for the gradient; also writes the slope gradient into alphaGrad (C entries) if given. */
  backwardSlopes(
    dy: FloatArray,
    x: FloatArray,
    slopes: Slopes,
    spatialSize?: number,
    out?: FloatArray,
    half?: Half,
    alphaGrad?: Float64Array,
  ): void;
  /** Choose this environment's kernels: the best set at or below `cap`; null for an unknown cap. */
  configure(cap?: string): 'avx512' | 'avx2' | 'neon' | 'scalar' | null;
  /** The kernel set that runs `dtype` under the current cap (16-bit data may fall back to scalar). */
  isaOf(dtype: 'float32' | 'float64' | Half): 'avx512' | 'avx2' | 'neon' | 'scalar';
  /** The best kernel set this CPU supports, whatever the cap. */
  bestIsa(): 'avx512' | 'avx2' | 'neon' | 'scalar';
  /**
   * Queue outs[i] = leakyRelu(xs[i]) on the libuv threadpool (outs[i] is xs[i] for in
   * place). Throws ERR_BUFFER_IN_USE if the memory overlaps an unfinished job. The
   * callback gets an error (ERR_INVALID_STATE: a buffer was detached meanwhile) or
   * null, and whether the job was cancelled; an exception it throws is dropped. Every
   * element of the lists is read before any is checked, and at most 2^20 tasks are
   * taken. Returns the job's id.
   */
  submitForward(
    xs: FloatArray[],
    outs: FloatArray[],
    alpha: number | Slopes,
    done: JobCallback,
    halves?: (Half | undefined)[],
    spatialSize?: number,
  ): number;
  /** The same for outs[i] = gradient(dys[i], xs[i]). */
  submitBackward(
    dys: FloatArray[],
    xs: FloatArray[],
    outs: FloatArray[],
    alpha: number | Slopes,
    done: JobCallback,
    halves?: (Half | undefined)[],
    spatialSize?: number,
    alphaGrads?: (Float64Array | undefined)[],
  ): number;
  /** Skip the chunks of job `id` not yet started; ignored for finished jobs. */
  cancel(id: number): void;
  /** The address of the array's first element (to compare memory across buffer objects). */
  addressOf(array: FloatArray): number;
  /** The threadpool size jobs spread over (UV_THREADPOOL_SIZE, default 4). */
  threads(): number;
  /** The bytes one threadpool lane takes at a time: a job's chunk. */
  chunkBytes(): number;
  /** Unfinished jobs of this environment, and busy ranges registered process-wide. */
  stats(): { jobs: number; ranges: number };
}

type JobCallback = (error: Error | null, cancelled: boolean) => void;
