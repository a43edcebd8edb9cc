// Which vitest project runs this file, read once from the switches vitest.config.mts
// (LEAKY_RELU_ISA per ISA project, LEAKY_RELU_BACKEND=js) and scripts/test-asan.js
// (LEAKY_RELU_SANITIZED, LEAKY_RELU_NATIVE_PATH) set, and which tests it therefore runs.
// The suites ask this module; none reads those switches itself.
import { info } from '../../lib/index';

const env = process.env;
const isa = env.LEAKY_RELU_ISA;
const backendSwitch = env.LEAKY_RELU_BACKEND;
const sanitized = Boolean(env.LEAKY_RELU_SANITIZED);
/** Neither an ISA project nor the js one: `vitest` run with another config, or by hand. */
const outsideMatrix = isa === undefined && backendSwitch === undefined;

/**
 * The backend this project tests. An ISA project (and the sanitizer run) is native by
 * definition, so a binding that fails to load there fails its native tests instead of
 * skipping them; outside the matrix it is whatever the package loaded.
 */
const backend: 'native' | 'js' =
  backendSwitch === 'js' ? 'js' : isa !== undefined || sanitized || backendSwitch === 'native' ? 'native' : info().backend;
const native = backend === 'native';

/**
 * The heavy tests (256 MB arrays, child processes that loop gc(), workers, soak) test
 * the async machinery, not the kernels, so one native project (avx512) and the js
 * project run them; a run outside the project matrix runs them too.
 */
const heavyNative = native && (isa === 'avx512' || outsideMatrix);
const heavyJs = !native && backendSwitch === 'js';

export const project = {
  /** The ISA cap (LEAKY_RELU_ISA), as given; undefined outside the ISA projects. */
  isa,
  backend,
  native,
  /** The sanitizer run: the ASan+UBSan build, with libasan preloaded. */
  sanitized,
  /** The binary the package loads instead of node-gyp-build's (the sanitizer build). */
  nativePath: env.LEAKY_RELU_NATIVE_PATH,
  heavyNative,
  heavyJs,
  heavy: heavyNative || heavyJs,
  /**
   * The one project that runs the tests that do not depend on the project (fresh
   * processes with their own switches, emulated CPUs): isa-scalar. Not in the
   * sanitizer run, which repeats the ISA projects: those processes load none of its build.
   */
  once: isa === 'scalar' && !sanitized,
} as const;
