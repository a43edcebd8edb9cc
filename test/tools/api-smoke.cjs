'use strict';
// The public API once through on a runtime that has no vitest (Node 18/22, Bun, Deno,
// a Windows Node under wine): sync, async, batch and backward on both dtypes, results
// compared bit for bit with values computed here in plain JS. Loads the package root
// (dist/, or the folder given as the first argument), so the environment switches apply.
// Prints the package's info() as JSON, then "N passed, N failed"; exits non-zero on a failure.
const path = require('node:path');

const pkg = require(path.resolve(process.argv[2] || path.join(__dirname, '..', '..')));

let passed = 0;
let failed = 0;
const problems = [];

function sameBits(a, b) {
  if (a.length !== b.length || a.constructor !== b.constructor) return false;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    if (!Object.is(a[i], b[i])) return false;
  }
  return true;
}

function check(name, got, want) {
  if (sameBits(got, want)) passed++;
  else {
    failed++;
    problems.push(`${name}: got [${Array.from(got).slice(0, 8)}], want [${Array.from(want).slice(0, 8)}]`);
  }
}

function expectCode(name, fn, code) {
  try {
    fn();
  } catch (e) {
    if (e && e.code === code) return passed++;
    failed++;
    return problems.push(`${name}: threw ${e && e.code} instead of ${code}`);
  }
  failed++;
  problems.push(`${name}: did not throw`);
}

// Lengths around every kernel's vector width and past the native/async thresholds.
const lengths = [0, 1, 7, 17, 100, 1000, 70000];
function data(Type, n, seed) {
  const a = new Type(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = (s / 4294967296 - 0.5) * 10;
  }
  if (n > 6) a.set([0, -0, NaN, Infinity, -Infinity, 1e-45], 0);
  return a;
}
function forward(Type, x, alpha) {
  const a = Type === Float32Array ? Math.fround(alpha) : alpha;
  return Type.from(x, (v) => (v > 0 ? v : Type === Float32Array ? Math.fround(a * v) : a * v));
}
function backward(Type, dy, x, alpha) {
  const a = Type === Float32Array ? Math.fround(alpha) : alpha;
  return Type.from(dy, (d, i) => (x[i] > 0 ? d : Type === Float32Array ? Math.fround(a * d) : a * d));
}

async function main() {
  for (const Type of [Float32Array, Float64Array]) {
    const t = Type.name;
    for (const n of lengths) {
      const x = data(Type, n, n + 1);
      check(`${t} sync n=${n}`, pkg.leakyRelu(x.slice(), 0.1), forward(Type, x, 0.1));
      check(`${t} sync default alpha n=${n}`, pkg.leakyRelu(x.slice()), forward(Type, x, 0.2));
      const out = new Type(n);
      check(`${t} sync out n=${n}`, pkg.leakyRelu(x, { alpha: -0.5, out }), forward(Type, x, -0.5));
      check(`${t} async n=${n}`, await pkg.leakyReluAsync(x.slice(), 0.3), forward(Type, x, 0.3));
      const dy = data(Type, n, n + 7);
      check(`${t} backward n=${n}`, pkg.leakyReluBackward(dy.slice(), x, 0.25), backward(Type, dy, x, 0.25));
    }
    const xs = lengths.map((n) => data(Type, n, 3 * n + 5));
    const ys = await pkg.leakyReluBatch(xs.map((x) => x.slice()), { alpha: 0.05 });
    ys.forEach((y, i) => check(`${t} batch [${i}]`, y, forward(Type, xs[i], 0.05)));
  }
  expectCode('Int32Array is rejected', () => pkg.leakyRelu(new Int32Array(4)), 'ERR_INVALID_ARG_TYPE');
  expectCode('NaN alpha is rejected', () => pkg.leakyRelu(new Float32Array(4), NaN), 'ERR_OUT_OF_RANGE');
  let rejected = null;
  await pkg.leakyReluAsync([1, 2]).catch((e) => (rejected = e));
  if (rejected && rejected.code === 'ERR_INVALID_ARG_TYPE') passed++;
  else (failed++, problems.push('async with a plain array did not reject with ERR_INVALID_ARG_TYPE'));

  for (const p of problems.slice(0, 10)) console.error(`FAIL ${p}`);
  console.log(JSON.stringify(pkg.info()));
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
