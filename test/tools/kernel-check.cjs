'use strict';
// The kernel check for machines where vitest is too slow or absent (qemu-emulated x86
// CPUs, Debian's arm64 Node 18 under qemu-aarch64), hence plain CommonJS for Node 18.
// `node test/tools/kernel-check.cjs` checks the binding the package would load (so
// LEAKY_RELU_ISA and LEAKY_RELU_NATIVE_PATH apply; needs dist/, npm run build:ts),
// prints the info as JSON, then "N passed, N failed", and exits non-zero on a failure.
// It runs checkKernels (every length and line position, guarded, all four element
// types) and checkAllPatterns (every 16-bit pattern, a set of alphas); both are
// exported so that test/kernel-checker.test.ts can prove they catch faults.
const {
  HALF_CASES,
  HALF_SENTINEL,
  allPatterns,
  backwardMixes16,
  SENTINEL,
  decodeHalf,
  firstBitDifference,
  firstHalfDifference,
  guardDamage,
  guardedInLine,
  halfAlpha,
  halfDifferences,
  referenceBackward,
  referenceBackward16,
  referenceForward,
  referenceForward16,
  roundToHalf,
} = require('./kernel-reference.cjs');

const specials = [0, -0, 1, -1, NaN, -NaN, Infinity, -Infinity, 1e-45, -1e-45, 1.5e-40, -1.5e-40,
  5e-324, -5e-324, 2.2e-308, -2.2e-308, 3.4e38, -3.4e38, 1e300, -1e300, 0.5, -7.25];

// 16-bit patterns, the same role: zeros, ±1, NaNs (quiet, signalling, negative), ±Inf,
// the smallest and largest subnormals, the largest finite values, of each type.
const specials16 = {
  float16: [0x0000, 0x8000, 0x3c00, 0xbc00, 0x7e00, 0xfe00, 0x7c01, 0x7c00, 0xfc00, 0x0001, 0x8001,
    0x03ff, 0x83ff, 0x0400, 0x8400, 0x7bff, 0xfbff, 0x3800, 0xc740],
  bfloat16: [0x0000, 0x8000, 0x3f80, 0xbf80, 0x7fc0, 0xffc0, 0x7f81, 0x7f80, 0xff80, 0x0001, 0x8001,
    0x007f, 0x807f, 0x0080, 0x8080, 0x7f7f, 0xff7f, 0x3f00, 0xc0e8],
};

// Each call path has its own argument handling and may have its own kernel loop, so
// each is checked on its own, with guards around every array it touches. 16-bit data
// go to the binding as Uint16Array bits with their type as the last argument.
const paths = [
  { name: 'forward in place', into: 'x', expected: 'forward', call: (b, a, v, h) => (h ? b.forward(v.x.view, a, undefined, h) : b.forward(v.x.view, a)) },
  { name: 'forward into out', into: 'out', expected: 'forward', call: (b, a, v, h) => (h ? b.forward(v.x.view, a, v.out.view, h) : b.forward(v.x.view, a, v.out.view)) },
  { name: 'backward into out', into: 'out', expected: 'backward', call: (b, a, v, h) => (h ? b.backward(v.dy.view, v.x.view, a, v.out.view, h) : b.backward(v.dy.view, v.x.view, a, v.out.view)) },
  { name: 'backward into dy', into: 'dy', expected: 'backward', call: (b, a, v, h) => (h ? b.backward(v.dy.view, v.x.view, a, undefined, h) : b.backward(v.dy.view, v.x.view, a)) },
];

// How one element type is generated, computed and compared: a float constructor, or a
// 16-bit type name ('float16', 'bfloat16') whose data are Uint16Array bits.
function typeCase(type) {
  if (typeof type !== 'string') {
    return {
      name: type.name,
      Ctor: type,
      half: undefined,
      fill: SENTINEL,
      value: (random, i, n) => (random() < 0.25 ? specials[(i * 7 + n) % specials.length] : (random() - 0.5) * 8),
      forward: referenceForward,
      backward: referenceBackward,
      differs: firstBitDifference,
    };
  }
  const half = type;
  const special = specials16[half];
  if (special === undefined) throw new Error(`kernel-check: unknown element type ${half}`);
  return {
    name: half,
    Ctor: Uint16Array,
    half,
    fill: HALF_SENTINEL,
    // A quarter specials, the rest half any pattern at all (every exponent, so products
    // that overflow and underflow), half moderate values.
    value: (random, i, n) => {
      const r = random();
      if (r < 0.25) return special[(i * 7 + n) % special.length];
      if (r < 0.625) return Math.floor(random() * 65536);
      return roundToHalf((random() - 0.5) * 8, half);
    },
    forward: (x, alpha) => referenceForward16(x, alpha, half),
    backward: (dy, x, alpha) => referenceBackward16(dy, x, alpha, half),
    differs: (actual, expected) => firstHalfDifference(actual, expected, half),
  };
}

// Guards only show a stray write if the kernel would change them: alphaT * sentinel
// must not round back to the sentinel.
function checkSentinel16(half, alpha) {
  const product = roundToHalf(Math.fround(decodeHalf(halfAlpha(alpha, half), half) * decodeHalf(HALF_SENTINEL, half)), half);
  if (product === HALF_SENTINEL) throw new Error(`kernel-check: alpha ${alpha} maps the ${half} guard to itself`);
}

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

// null if the call left `into` holding `expected` and every other view as it was,
// with every guard intact; else what went wrong.
// The arrays not written must keep every bit (NaN payloads too); the one written is
// compared as the type's values (any NaN equal to any NaN).
function problemAfter(arrays, before, into, expected, differs) {
  for (const name of ['x', 'dy', 'out']) {
    const g = arrays[name];
    const difference = name === into ? differs(g.view, expected) : firstBitDifference(g.view, before[name]);
    if (difference !== null) return `${name}: ${difference}`;
    const damage = guardDamage(g);
    if (damage !== null) return `${name}: ${damage}`;
  }
  return null;
}

function checkKernels(binding, options = {}) {
  const types = options.types || [Float32Array, Float64Array, 'float16', 'bfloat16'];
  const alphas = options.alphas || [0.2, -0.3, 3, 0];
  const maxLength = options.maxLength === undefined ? 300 : options.maxLength;
  const random = lcg(options.seed === undefined ? 12345 : options.seed);
  const addressOf = (a) => binding.addressOf(a);
  const result = { passed: 0, failed: 0, failures: [] };

  for (const type of types) {
    const t = typeCase(type);
    const Type = t.Ctor;
    // Elements in a 64-byte line: positions 0..perLine-1 reach every head length.
    const perLine = 64 / Type.BYTES_PER_ELEMENT;
    for (const alpha of alphas) {
      if (t.half) checkSentinel16(t.half, alpha);
      for (let n = 0; n <= maxLength; n++) {
        // Over n = 0..255, (n % 16, n >> 4) takes every pair once: every position of
        // x in a line against every position of the output, and of dy against x. A
        // 16-bit line has 32 positions, too many pairs for 301 lengths: each view still
        // takes every position (x by n, dy and out by n >> 3), at many lengths each.
        const line = n >> 4;
        const pos =
          perLine === 32
            ? { x: n % 32, dy: (3 * (n >> 3) + 1) % 32, out: (n >> 3) % 32 }
            : { x: n % 16, dy: (3 * line + 1) % 16, out: line % 16 };
        const value = (i) => t.value(random, i, n);
        const before = { x: Type.from({ length: n }, (_, i) => value(i)), dy: Type.from({ length: n }, (_, i) => value(i + 3)), out: new Type(n).fill(t.fill) };
        const expected = { forward: t.forward(before.x, alpha), backward: t.backward(before.dy, before.x, alpha) };
        // Unwritten output elements keep the sentinel, so no result may equal it: a
        // 16-bit product can, and then that element's input is drawn again.
        if (t.half) {
          for (let i = 0; i < n; i++) {
            while (expected.forward[i] === t.fill || expected.backward[i] === t.fill) {
              if (expected.forward[i] === t.fill) before.x[i] = value(i);
              else before.dy[i] = value(i + 3);
              expected.forward[i] = t.forward(before.x.subarray(i, i + 1), alpha)[0];
              expected.backward[i] = t.backward(before.dy.subarray(i, i + 1), before.x.subarray(i, i + 1), alpha)[0];
            }
          }
        }

        for (const path of paths) {
          const arrays = {};
          for (const name of ['x', 'dy', 'out']) arrays[name] = guardedInLine(Type, pos[name], before[name], addressOf);
          let problem;
          try {
            path.call(binding, alpha, arrays, t.half);
            problem = problemAfter(arrays, before, path.into, expected[path.expected], t.differs);
          } catch (error) {
            problem = `threw ${error && error.message}`;
          }
          if (problem === null) result.passed++;
          else {
            result.failed++;
            result.failures.push(`${path.name} ${t.name} alpha=${alpha} n=${n} pos=${pos.x}/${pos.dy}/${pos.out}: ${problem}`);
          }
        }
      }
    }
  }
  return result;
}

// Every 16-bit pattern through each path, for each of HALF_CASES' alphas: the rounding
// of every input, where checkKernels reaches the tails and guards. One check per type,
// alpha and path; the inputs must keep every bit. The reference's product depends on the
// multiplied pattern alone, so one pass of it per alpha (with x = +0, which takes the
// product everywhere) serves every path: under qemu a pass costs seconds.
function checkAllPatterns(binding, options = {}) {
  const halves = options.halves || ['float16', 'bfloat16'];
  const result = { passed: 0, failed: 0, failures: [] };
  const all = allPatterns();
  for (const half of halves) {
    const [x1, x2] = backwardMixes16(half);
    const positive = all.map((b) => (decodeHalf(b, half) > 0 ? 1 : 0));
    const select = (x, product) => {
      const out = new Uint16Array(65536);
      for (let g = 0; g < 65536; g++) out[g] = positive[x[g]] ? g : product[g];
      return out;
    };
    for (const alpha of HALF_CASES[half].alphas) {
      const product = referenceBackward16(all, new Uint16Array(65536), alpha, half);
      const forward = select(all, product);
      const fresh = () => new Uint16Array(65536).fill(HALF_SENTINEL);
      // Each run returns the array written, then [now, as it was] for each input left alone.
      const runs = [
        { name: 'forward in place', expected: forward, call: () => {
          const x = all.slice();
          binding.forward(x, alpha, undefined, half);
          return [x];
        } },
        { name: 'forward into out', expected: forward, call: () => {
          const x = all.slice();
          const out = fresh();
          binding.forward(x, alpha, out, half);
          return [out, [x, all]];
        } },
        { name: 'backward into dy', expected: select(x1, product), call: () => {
          const dy = all.slice();
          const x = x1.slice();
          binding.backward(dy, x, alpha, undefined, half);
          return [dy, [x, x1]];
        } },
        { name: 'backward into out', expected: select(x2, product), call: () => {
          const dy = all.slice();
          const x = x2.slice();
          const out = fresh();
          binding.backward(dy, x, alpha, out, half);
          return [out, [dy, all], [x, x2]];
        } },
      ];
      for (const run of runs) {
        let problem = null;
        try {
          const [written, ...inputs] = run.call();
          const at = halfDifferences(written, run.expected, half);
          if (at.length > 0) problem = `${at.length} patterns differ, first ${firstHalfDifference(written, run.expected, half)}`;
          for (const [now, was] of inputs) {
            const d = problem === null ? firstBitDifference(now, was) : null;
            if (d !== null) problem = `an input changed: ${d}`;
          }
        } catch (error) {
          problem = `threw ${error && error.message}`;
        }
        if (problem === null) result.passed++;
        else {
          result.failed++;
          result.failures.push(`all patterns, ${run.name} ${half} alpha=${alpha}: ${problem}`);
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
  const sweep = checkKernels(binding);
  const patterns = checkAllPatterns(binding);
  const passed = sweep.passed + patterns.passed;
  const failed = sweep.failed + patterns.failed;
  const failures = [...sweep.failures, ...patterns.failures];
  for (const failure of failures.slice(0, 10)) console.error(`FAIL ${failure}`);
  const halfIsa = { float16: binding.isaOf('float16'), bfloat16: binding.isaOf('bfloat16') };
  console.log(JSON.stringify({ backend: 'native', isa, bestIsa: binding.bestIsa(), arch: process.arch, ...halfIsa }));
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

module.exports = { checkKernels, checkAllPatterns };

if (require.main === module) main();
