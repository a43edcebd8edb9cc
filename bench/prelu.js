// The per-channel rows of `npm run bench` (PReLU): one slope per channel, channels-last
// (spatialSize 1) and channels-first (spatialSize = N / C, one image), C = 3 and 64,
// against scalar-alpha leakyRelu and the streaming limit on the same arrays, and
// backward with the slope gradient against backward without it. The targets
// are the ratios: per-channel / scalar forward, with / without the gradient.
'use strict';
const lib = require('..');
const { onnxPrelu } = require('./alternatives');
const { makePool, median, timeInterleaved, roundsFor, randomArray } = require('./measure');

/** The layouts measured: [name, C, spatialSize for N elements]. */
const LAYOUTS = [
  ['channels-last C=3', 3, () => 1],
  ['channels-last C=64', 64, () => 1],
  ['channels-first C=3', 3, (n) => Math.floor(n / 3)],
  ['channels-first C=64', 64, (n) => n / 64],
];

function slopesOf(c) {
  return Float32Array.from({ length: c }, (_, i) => 0.05 + (0.3 * i) / c);
}

/**
 * @returns {Promise<{ rows: {layout, dtype, n, spatial, ns: Record<string, number>}[], notes: string[] }>}
 *   ns per element for each operation of each layout, size and element type;
 *   onnxruntime-node's PRelu as ns.onnx where it runs (float32), else a note why not.
 */
async function measurePrelu({ sizes, alpha, limit, tell }) {
  const rows = [];
  const notes = new Set();
  for (const Type of [Float32Array, Float64Array]) {
    for (const size of sizes) {
      for (const [layout, c, spatialOf] of LAYOUTS) {
        const spatial = spatialOf(size);
        const n = size - (size % (c * spatial));
        tell(`per-channel ${layout} ${Type.name} N=${n}`);
        const alphaSlopes = slopesOf(c);
        const rounds = Math.max(5, Math.min(roundsFor(n), 11));
        const pool = makePool(Type, n);
        const x = randomArray(Type, n);
        const grad = new Float64Array(c);
        const forward = timeInterleaved(pool, {
          limit: (a) => limit.negateInPlace(a),
          scalar: (a) => lib.leakyRelu(a, alpha),
          slopes: (a) => lib.leakyRelu(a, { alpha: alphaSlopes, spatialSize: spatial }),
        }, rounds);
        // dy is the pool's array, written in place as dx; x stays.
        const backward = timeInterleaved(pool, {
          backwardScalar: (a) => lib.leakyReluBackward(a, x, alpha),
          backwardSlopes: (a) => lib.leakyReluBackward(a, x, { alpha: alphaSlopes, spatialSize: spatial }),
          backwardGrad: (a) => lib.leakyReluBackward(a, x, { alpha: alphaSlopes, spatialSize: spatial, alphaGrad: grad }),
        }, rounds);
        const ns = { ...forward, ...backward };
        if (Type === Float32Array) {
          tell(`onnxruntime-node PRelu ${layout} N=${n}`);
          try {
            const ort = await onnxPrelu({ Type, n, channels: c, spatial, slopes: alphaSlopes, rounds: Math.min(rounds, 5), makePool, median });
            if (ort.ns !== undefined) {
              ns.onnx = ort.ns;
              notes.add(`onnxruntime-node ${ort.version} PRelu (${ort.threads} threads): a one-node model with the slopes as a second input ([C] channels-last, [C, 1] channels-first), await session.run per call.`);
            } else {
              notes.add(`onnxruntime-node PRelu: ${ort.why}.`);
            }
          } catch (e) {
            notes.add(`onnxruntime-node PRelu: failed: ${e.message.split('\n')[0]}.`);
          }
        }
        rows.push({ layout, dtype: Type.name, size, n, spatial, ns });
      }
    }
  }
  return { rows, notes: [...notes] };
}

module.exports = { measurePrelu, LAYOUTS };
