'use strict';
// The kernel check for machines where vitest is too slow or absent (qemu-emulated x86
// CPUs, Debian's arm64 Node 18 under qemu-aarch64), hence plain CommonJS for Node 18.
// `node test/tools/kernel-check.cjs` checks the binding the package would load (so
// LEAKY_RELU_ISA and LEAKY_RELU_NATIVE_PATH apply; needs dist/, npm run build:ts),
// prints the info as JSON, then "N passed, N failed", and exits non-zero on a failure.
// It runs checkKernels (every length and line position, guarded, all four element
// types), checkAllPatterns (every 16-bit pattern, a set of alphas) and checkSlopes
// (per-channel slopes: forwardSlopes / backwardSlopes with and without alphaGrad,
// both gradient regimes, the kernels' pattern and run paths, guarded); all are
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
const { firstGradDifference, referenceSlopeGrad, referenceSlopesBackward, referenceSlopesForward } = require('./slopes-reference.cjs');

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

// ---- Per-channel slopes (forwardSlopes, backwardSlopes), against slopes-reference.cjs

// (C, S) on each side of the kernels' and the gradient's regime changes: the period
// regime (S < 32; L = lcm(P, 64) widened, or P itself past 4096) and the run regime
// (32 slots a channel); the pattern kernels (C > 1, S < 64) and the channel runs
// (S >= 64), and C = 1 (one scalar-alpha call). Each with lengths k * C * S: every
// length up to 40 (and around 64 and 128) where the period is 1, so tails and heads
// of every vector width meet the pattern's phase.
const SLOPE_SHAPES = [
  { C: 1, S: 1, ks: [...Array.from({ length: 41 }, (_, k) => k), 63, 64, 65, 127, 128, 129] },
  { C: 3, S: 1, ks: Array.from({ length: 21 }, (_, k) => k) },
  { C: 64, S: 1, ks: [1, 2, 3] },
  { C: 2, S: 7, ks: [0, 1, 2, 3, 4, 5, 6] },
  { C: 3, S: 16, ks: [1, 2, 3, 4] },
  { C: 5, S: 31, ks: [1, 2] },
  { C: 3, S: 31, ks: [1, 3] },
  { C: 2, S: 32, ks: [1, 2, 3] },
  { C: 3, S: 33, ks: [1, 2] },
  { C: 1, S: 33, ks: [1, 2, 3, 4, 5] },
  { C: 2, S: 64, ks: [1, 2] },
  { C: 3, S: 100, ks: [1, 2] },
  { C: 1, S: 64, ks: [1, 2, 3, 4] },
  { C: 2, S: 4096, ks: [1] },
];
// Two gradient blocks (of 65664 and 65536 elements), one shape per regime, the
// gradient paths only, float32 and float64 data: the blocks' cut and the block sums'
// order, which do not depend on the element type (the 16-bit gradient kernels are
// checked in both regimes above). The 16-bit reference is slow under qemu.
const SLOPE_BLOCK_SHAPES = [
  { C: 3, S: 1, ks: [22000], finite: true },
  { C: 2, S: 32, ks: [1030], finite: true },
];
// No slope is 1 (a stray write of the sentinel times 1 would not show).
const SLOPE_POOL = [0.2, -0.3, 3, 0, -0.5, 1.5, 0.01, -2, 0.75];

// Each path, with guards around every array it touches (alphaGrad too). 16-bit data
// go as Uint16Array bits with their type as the `half` argument.
const slopePaths = [
  { name: 'forwardSlopes in place', into: 'x', expected: 'forward', call: (b, s, S, v, h) => b.forwardSlopes(v.x.view, s, S, undefined, h) },
  { name: 'forwardSlopes into out', into: 'out', expected: 'forward', call: (b, s, S, v, h) => b.forwardSlopes(v.x.view, s, S, v.out.view, h) },
  { name: 'backwardSlopes into dy', into: 'dy', expected: 'backward', call: (b, s, S, v, h) => b.backwardSlopes(v.dy.view, v.x.view, s, S, undefined, h) },
  { name: 'backwardSlopes into out', into: 'out', expected: 'backward', call: (b, s, S, v, h) => b.backwardSlopes(v.dy.view, v.x.view, s, S, v.out.view, h) },
  { name: 'backwardSlopes into x', into: 'x', expected: 'backward', call: (b, s, S, v, h) => b.backwardSlopes(v.dy.view, v.x.view, s, S, v.x.view, h) },
  { name: 'backwardSlopes into dy with alphaGrad', into: 'dy', expected: 'backward', grad: true, call: (b, s, S, v, h) => b.backwardSlopes(v.dy.view, v.x.view, s, S, undefined, h, v.grad.view) },
  { name: 'backwardSlopes into out with alphaGrad', into: 'out', expected: 'backward', grad: true, call: (b, s, S, v, h) => b.backwardSlopes(v.dy.view, v.x.view, s, S, v.out.view, h, v.grad.view) },
  { name: 'backwardSlopes into x with alphaGrad', into: 'x', expected: 'backward', grad: true, call: (b, s, S, v, h) => b.backwardSlopes(v.dy.view, v.x.view, s, S, v.x.view, h, v.grad.view) },
];

// An alphaGrad's garbage before the call: NaNs and a number, which it must overwrite.
function gradGarbage(channels) {
  const g = new Float64Array(channels);
  for (let c = 0; c < channels; c++) g[c] = c % 2 === 0 ? NaN : 777.25;
  return g;
}

function finiteValue(tc, random) {
  const r = random();
  const sign = random() < 0.5 ? -1 : 1;
  if (tc.half) {
    if (r < 0.05) return sign < 0 ? 0x8000 : 0;
    if (r < 0.1) return (sign < 0 ? 0x8000 : 0) | (1 + Math.floor(random() * 0x7f));
    return roundToHalf(sign * (0.5 + random()) * 2 ** Math.floor(random() * 12 - 6), tc.half);
  }
  if (r < 0.05) return sign * 0;
  if (r < 0.1) return sign * (tc.Ctor === Float32Array ? 1e-45 : 5e-324) * (1 + Math.floor(random() * 100));
  return sign * (0.5 + random()) * 2 ** Math.floor(random() * 24 - 12);
}

function checkSlopes(binding, options = {}) {
  const types = options.types || [Float32Array, Float64Array, 'float16', 'bfloat16'];
  const shapes = options.shapes || SLOPE_SHAPES;
  const blockShapes = options.blockShapes || SLOPE_BLOCK_SHAPES;
  const blockTypes = options.blockTypes || [Float32Array, Float64Array];
  const random = lcg(options.seed === undefined ? 54321 : options.seed);
  const addressOf = (a) => binding.addressOf(a);
  const result = { passed: 0, failed: 0, failures: [] };
  let t = 0;

  const runShape = (type, shape, paths) => {
    const tc = typeCase(type);
    const Type = tc.Ctor;
    const perLine = 64 / Type.BYTES_PER_ELEMENT;
    const { C, S } = shape;
    for (const k of shape.ks) {
      t++;
      const n = k * C * S;
      const values = Array.from({ length: C }, (_, c) => SLOPE_POOL[(c * 5 + t) % SLOPE_POOL.length]);
      // Slopes as the binding takes them: a Float64Array or a Float32Array (float32
      // values), a number for C = 1 now and then; spatialSize 1 left out now and then.
      const form = t % 3;
      const slopes = C === 1 && form === 2 ? values[0] : form === 1 ? Float32Array.from(values) : Float64Array.from(values);
      const slopeValues = typeof slopes === 'number' ? [slopes] : Array.from(slopes);
      if (tc.half) for (const v of slopeValues) checkSentinel16(tc.half, v);
      const spatial = S === 1 && t % 2 === 0 ? undefined : S;
      // Every other case finite data (zeros and subnormals among them, no NaN or
      // infinity), so that alphaGrad is a finite sum whose every bit is checked; the
      // others take the specials.
      const finite = shape.finite || t % 2 === 1;
      const value = (i) => (finite ? finiteValue(tc, random) : tc.value(random, i, n));
      const before = { x: Type.from({ length: n }, (_, i) => value(i)), dy: Type.from({ length: n }, (_, i) => value(i + 3)), out: new Type(n).fill(tc.fill) };
      let expected;
      // No result may equal the fill of the unwritten output: such an element's x is
      // made positive (its result is then x itself, or dy, made positive in turn).
      for (let round = 0; ; round++) {
        expected = {
          forward: referenceSlopesForward(before.x, slopeValues, S, tc.half),
          backward: referenceSlopesBackward(before.dy, before.x, slopeValues, S, tc.half),
        };
        const bad = [];
        for (let i = 0; i < n; i++) if (expected.forward[i] === tc.fill || expected.backward[i] === tc.fill) bad.push(i);
        if (bad.length === 0) break;
        if (round === 3) throw new Error('kernel-check: could not keep the results apart from the guard fill');
        const positive = tc.half ? 0x3c00 : 1.25;
        for (const i of bad) {
          before.x[i] = positive;
          if (before.dy[i] === tc.fill) before.dy[i] = positive;
        }
      }
      const grad = referenceSlopeGrad(before.dy, before.x, C, S, tc.half);
      const pos = { x: t % perLine, dy: (3 * t + 1) % perLine, out: (5 * t + 2) % perLine };
      for (const path of paths) {
        const arrays = {};
        for (const name of ['x', 'dy', 'out']) arrays[name] = guardedInLine(Type, pos[name], before[name], addressOf);
        if (path.grad) arrays.grad = guardedInLine(Float64Array, t % 8, gradGarbage(C), addressOf);
        let problem;
        try {
          path.call(binding, slopes, spatial, arrays, tc.half);
          problem = problemAfter(arrays, before, path.into, expected[path.expected], tc.differs);
          if (problem === null && path.grad) {
            const d = firstGradDifference(arrays.grad.view, grad);
            problem = d !== null ? d : guardDamage(arrays.grad);
            if (problem !== null && d === null) problem = `alphaGrad: ${problem}`;
          }
        } catch (error) {
          problem = `threw ${error && error.message}`;
        }
        if (problem === null) result.passed++;
        else {
          result.failed++;
          const shown = typeof slopes === 'number' ? slopes : `${slopes.constructor.name}[${slopeValues}]`;
          result.failures.push(`${path.name} ${tc.name} C=${C} S=${S} n=${n} slopes=${shown} pos=${pos.x}/${pos.dy}/${pos.out}: ${problem}`);
        }
      }
    }
  };

  for (const type of types) for (const shape of shapes) runShape(type, shape, slopePaths);
  const gradPaths = slopePaths.filter((p) => p.grad && p.into !== 'out');
  for (const type of blockTypes) for (const shape of blockShapes) runShape(type, shape, gradPaths);
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
  const slopes = checkSlopes(binding);
  const passed = sweep.passed + patterns.passed + slopes.passed;
  const failed = sweep.failed + patterns.failed + slopes.failed;
  const failures = [...sweep.failures, ...patterns.failures, ...slopes.failures];
  for (const failure of failures.slice(0, 10)) console.error(`FAIL ${failure}`);
  const halfIsa = { float16: binding.isaOf('float16'), bfloat16: binding.isaOf('bfloat16') };
  console.log(JSON.stringify({ backend: 'native', isa, bestIsa: binding.bestIsa(), arch: process.arch, ...halfIsa }));
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

module.exports = { checkKernels, checkAllPatterns, checkSlopes, SLOPE_SHAPES, SLOPE_BLOCK_SHAPES };

if (require.main === module) main();
