'use strict';
// The kernel check for machines where vitest is too slow or absent (qemu-emulated x86
// CPUs, Debian's arm64 Node 18 under qemu-aarch64), hence plain CommonJS for Node 18.
// `node test/tools/kernel-check.cjs` checks the binding the package would load (so
// LEAKY_RELU_ISA and LEAKY_RELU_NATIVE_PATH apply; needs dist/, npm run build:ts),
// prints the info as JSON, then "N passed, N failed", and exits non-zero on a failure.
// checkKernels is exported so that test/kernel-checker.test.ts can prove it catches faults.
const {
  SENTINEL,
  firstBitDifference,
  guardDamage,
  guardedInLine,
  referenceBackward,
  referenceForward,
} = require('./kernel-reference.cjs');

const specials = [0, -0, 1, -1, NaN, -NaN, Infinity, -Infinity, 1e-45, -1e-45, 1.5e-40, -1.5e-40,
  5e-324, -5e-324, 2.2e-308, -2.2e-308, 3.4e38, -3.4e38, 1e300, -1e300, 0.5, -7.25];

// Each call path has its own argument handling and may have its own kernel loop, so
// each is checked on its own, with guards around every array it touches.
const paths = [
  { name: 'forward in place', into: 'x', expected: 'forward', call: (b, a, v) => b.forward(v.x.view, a) },
  { name: 'forward into out', into: 'out', expected: 'forward', call: (b, a, v) => b.forward(v.x.view, a, v.out.view) },
  { name: 'backward into out', into: 'out', expected: 'backward', call: (b, a, v) => b.backward(v.dy.view, v.x.view, a, v.out.view) },
  { name: 'backward into dy', into: 'dy', expected: 'backward', call: (b, a, v) => b.backward(v.dy.view, v.x.view, a) },
];

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

// null if the call left `into` holding `expected` and every other view as it was,
// with every guard intact; else what went wrong.
function problemAfter(arrays, before, into, expected) {
  for (const name of ['x', 'dy', 'out']) {
    const g = arrays[name];
    const difference = firstBitDifference(g.view, name === into ? expected : before[name]);
    if (difference !== null) return `${name}: ${difference}`;
    const damage = guardDamage(g);
    if (damage !== null) return `${name}: ${damage}`;
  }
  return null;
}

function checkKernels(binding, options = {}) {
  const types = options.types || [Float32Array, Float64Array];
  const alphas = options.alphas || [0.2, -0.3, 3, 0];
  const maxLength = options.maxLength === undefined ? 300 : options.maxLength;
  const random = lcg(options.seed === undefined ? 12345 : options.seed);
  const addressOf = (a) => binding.addressOf(a);
  const result = { passed: 0, failed: 0, failures: [] };

  for (const Type of types) {
    for (const alpha of alphas) {
      for (let n = 0; n <= maxLength; n++) {
        // Over n = 0..255, (n % 16, n >> 4) takes every pair once: every position of
        // x in a line against every position of the output, and of dy against x.
        const line = n >> 4;
        const pos = { x: n % 16, dy: (3 * line + 1) % 16, out: line % 16 };
        const value = (i) => (random() < 0.25 ? specials[(i * 7 + n) % specials.length] : (random() - 0.5) * 8);
        // Unwritten output elements keep the sentinel, which no result here equals.
        const before = { x: Type.from({ length: n }, (_, i) => value(i)), dy: Type.from({ length: n }, (_, i) => value(i + 3)), out: new Type(n).fill(SENTINEL) };
        const expected = { forward: referenceForward(before.x, alpha), backward: referenceBackward(before.dy, before.x, alpha) };

        for (const path of paths) {
          const arrays = {};
          for (const name of ['x', 'dy', 'out']) arrays[name] = guardedInLine(Type, pos[name], before[name], addressOf);
          let problem;
          try {
            path.call(binding, alpha, arrays);
            problem = problemAfter(arrays, before, path.into, expected[path.expected]);
          } catch (error) {
            problem = `threw ${error && error.message}`;
          }
          if (problem === null) result.passed++;
          else {
            result.failed++;
            result.failures.push(`${path.name} ${Type.name} alpha=${alpha} n=${n} pos=${pos.x}/${pos.dy}/${pos.out}: ${problem}`);
          }
        }
      }
    }
  }
  return result;
}

function main() {
  const { resolveBackend } = require('../../dist/native');
  const { binding, isa } = resolveBackend();
  if (binding === null) {
    console.error('kernel-check: the native binding did not load');
    process.exit(2);
  }
  const { passed, failed, failures } = checkKernels(binding);
  for (const failure of failures.slice(0, 10)) console.error(`FAIL ${failure}`);
  console.log(JSON.stringify({ backend: 'native', isa, bestIsa: binding.bestIsa(), arch: process.arch }));
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

module.exports = { checkKernels };

if (require.main === module) main();
