// Timing helpers shared by the benchmark's processes.
'use strict';

/**
 * The pool's arrays take 256 KiB, and as much again for their pristine copies: enough
 * distinct arrays that a branch predictor cannot learn their signs (64Ki random signs a
 * pass for float32, 32Ki for float64, far beyond what one holds), few enough that a
 * pass finds its data in L2, as a user's working set of small arrays would be. A pool
 * of 2^18 elements (with its copies 2 MiB of float32, 4 MiB of float64) overflowed this
 * machine's 2 MiB L2, so every call up to 64Ki elements read L3: that measured the
 * cache, not the code, and measured float64 a cache level lower than float32. Large
 * arrays are what they are: at least two a pool.
 */
const POOL_BYTES = 256 * 1024;

function poolSize(Type, n, bytes) {
  return Math.max(2, Math.min(4096, Math.ceil(bytes / (n * Type.BYTES_PER_ELEMENT))));
}

function randomArray(Type, n) {
  const a = new Type(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/**
 * A pool of arrays and their pristine copies: before each timed pass every array is
 * refreshed from its copy, so each call sees fresh random data (never data it has
 * already transformed, which would drift towards subnormals) and the refresh itself
 * is the copy limit, `TypedArray.prototype.set` of the same bytes.
 */
function makePool(Type, n, fill = randomArray, bytes = POOL_BYTES) {
  const count = poolSize(Type, n, bytes);
  const pristine = Array.from({ length: count }, () => fill(Type, n));
  const arrays = pristine.map((p) => new Type(p));
  return {
    arrays,
    n,
    refresh() {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < count; i++) arrays[i].set(pristine[i]);
      return Number(process.hrtime.bigint() - t0) / (count * n);
    },
  };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// Untimed passes first, so that every implementation is measured in V8's optimizing
// tier (the first few thousand calls run in the baseline tiers), and a full GC, when
// exposed (npm run bench passes --expose-gc), so that garbage of an earlier
// measurement is not collected during this one.
// 50,000 calls, or at most 16Mi elements' worth (at least 2 passes).
const warmupPasses = (pool) =>
  Math.max(2, Math.min(Math.ceil(50000 / pool.arrays.length), Math.floor((1 << 24) / (pool.arrays.length * pool.n))));
const settle = () => globalThis.gc?.();

/**
 * A pass over the pool as its own function per implementation: one loop shared by all
 * of them calls through a megamorphic site, which costs ~20 ns a call by itself and
 * would swamp what is measured at 16 elements. `new Function` gives each its own
 * feedback, so V8 can inline the implementation into its loop.
 */
function passOf(op) {
  return new Function('op', 'return function pass(arrays) { for (let i = 0; i < arrays.length; i++) op(arrays[i]); };')(op);
}

/** ns per element of `op` over the pool, median of `rounds` passes on fresh data. */
function timeSync(pool, op, rounds) {
  const runs = [];
  const pass = passOf(op);
  settle();
  for (let r = -warmupPasses(pool); r < rounds; r++) {
    pool.refresh();
    const t0 = process.hrtime.bigint();
    pass(pool.arrays);
    if (r >= 0) runs.push(Number(process.hrtime.bigint() - t0) / (pool.arrays.length * pool.n));
  }
  return median(runs);
}

/**
 * Several implementations on one pool, their passes interleaved round by round, so
 * that a slow moment of the machine (another process, a frequency change) falls on
 * all of them alike rather than on whichever ran then. Each round starts one further
 * along the list, so that no implementation always follows the same other one: the
 * first native pass with a multiply after a JS loop's pass ran ~10% slower at 64Ki
 * elements (AVX2 and AVX-512 kernels alike), and a fixed order charged that to
 * whichever came next. Returns ns per element for each name, the median of `rounds`
 * passes; `copy` is the refresh itself.
 */
function timeInterleaved(pool, ops, rounds) {
  const runs = Object.fromEntries([['copy', []], ...Object.keys(ops).map((name) => [name, []])]);
  const passes = Object.fromEntries(Object.entries(ops).map(([name, op]) => [name, passOf(op)]));
  settle();
  const warmup = warmupPasses(pool);
  for (const pass of Object.values(passes)) {
    for (let r = 0; r < warmup; r++) {
      pool.refresh();
      pass(pool.arrays);
    }
  }
  const order = Object.entries(passes);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < order.length; k++) {
      const [name, pass] = order[(r + k) % order.length];
      runs.copy.push(pool.refresh());
      const t0 = process.hrtime.bigint();
      pass(pool.arrays);
      runs[name].push(Number(process.hrtime.bigint() - t0) / (pool.arrays.length * pool.n));
    }
  }
  return Object.fromEntries(Object.entries(runs).map(([name, values]) => [name, median(values)]));
}

async function timeAsync(pool, op, rounds) {
  const runs = [];
  settle();
  for (let r = -1; r < rounds; r++) {
    pool.refresh();
    const t0 = process.hrtime.bigint();
    for (const a of pool.arrays) await op(a);
    if (r >= 0) runs.push(Number(process.hrtime.bigint() - t0) / (pool.arrays.length * pool.n));
  }
  return median(runs);
}

/**
 * A sync and an async implementation in alternate passes over one pool, so that their
 * ratio is taken under the same conditions: at 16Mi elements both are bound by memory,
 * whose speed on a shared machine drifts from one second to the next. Returns ns per
 * element of each, medians of `rounds` passes.
 */
async function timeSyncVsAsync(pool, syncOp, asyncOp, rounds) {
  const runs = { sync: [], async: [] };
  const pass = passOf(syncOp);
  settle();
  for (let r = -1; r < rounds; r++) {
    pool.refresh();
    let t0 = process.hrtime.bigint();
    pass(pool.arrays);
    const sync = Number(process.hrtime.bigint() - t0) / (pool.arrays.length * pool.n);
    pool.refresh();
    t0 = process.hrtime.bigint();
    for (const a of pool.arrays) await asyncOp(a);
    const async_ = Number(process.hrtime.bigint() - t0) / (pool.arrays.length * pool.n);
    if (r >= 0) {
      runs.sync.push(sync);
      runs.async.push(async_);
    }
  }
  return { sync: median(runs.sync), async: median(runs.async) };
}

/**
 * Passes to take the median of. Below 1Mi elements a pass takes well under a
 * millisecond, where one interrupt or a neighbour's burst moves a median of 7 by 10%;
 * 21 cost little there.
 */
function roundsFor(n) {
  return n >= 1 << 24 ? 5 : n >= 1 << 20 ? 7 : 21;
}

/** A size as the tables and the chart print it: 256, 64Ki, 16Mi. */
const sizeLabel = (n) => (n >= 1 << 20 ? `${n / (1 << 20)}Mi` : n >= 1024 ? `${n / 1024}Ki` : String(n));

module.exports = { makePool, median, sizeLabel, timeSync, timeInterleaved, timeAsync, timeSyncVsAsync, roundsFor, randomArray };
