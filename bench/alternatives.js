// What a Node user could use instead of this package, measured only when installed
// (TensorFlow.js and onnxruntime-node are deliberately not dependencies). Each call is
// what the user has to do to get a result typed array back: wrap the array, run the
// op, read the output. The libraries return a new array rather than writing in place.
'use strict';
const os = require('node:os');

/** The library, or why there is none: 'not installed' vs a load failure. */
function load(name) {
  try {
    require.resolve(name);
  } catch {
    return { why: `${name} not installed` };
  }
  try {
    return { lib: require(name), version: require(`${name}/package.json`).version };
  } catch (e) {
    return { why: `${name} failed to load: ${e.message.split('\n')[0]}` };
  }
}

/**
 * null if `output` is x > 0 ? x : alpha * x of `input` to the dtype's rounding, else
 * the first difference. Within one ulp rather than exact: TensorFlow.js multiplies
 * by alpha as a double before storing to float32.
 */
function mismatch(input, output, alpha) {
  const f32 = input instanceof Float32Array;
  const a = f32 ? Math.fround(alpha) : alpha;
  const ulp = f32 ? 2 ** -23 : 2 ** -52;
  for (let i = 0; i < input.length; i++) {
    const x = input[i];
    const ref = x > 0 ? x : f32 ? Math.fround(a * x) : a * x;
    if (!(Math.abs(output[i] - ref) <= Math.abs(ref) * ulp)) return `x=${x} gave ${output[i]}, expected ${ref}`;
  }
  return null;
}

/**
 * ns per element of `pass` over the pool (one call per array), median of `rounds`
 * passes, each on freshly refreshed data, after `warmup` untimed passes.
 */
async function timePasses(pool, pass, rounds, warmup, median) {
  const runs = [];
  globalThis.gc?.();
  for (let r = -warmup; r < rounds; r++) {
    pool.refresh();
    const t0 = process.hrtime.bigint();
    await pass(pool.arrays);
    if (r >= 0) runs.push(Number(process.hrtime.bigint() - t0) / (pool.arrays.length * pool.n));
  }
  return median(runs);
}

/**
 * At 16Mi elements a pass is two 64-128 MB arrays in and two new ones out (~0.3 s
 * for TensorFlow.js on 2 cores, with the refresh), so there one warm-up and 3 passes
 * instead of roundsFor's 5 keep the largest size from dominating the run. Elsewhere
 * two warm-ups: enough for the libraries' JS wrappers to reach V8's optimizing tier,
 * so that the per-call cost at small N is theirs and not the baseline tier's.
 */
function plan(o, n) {
  return n >= 1 << 24 ? { rounds: Math.min(3, o.roundsFor(n)), warmup: 1 } : { rounds: o.roundsFor(n), warmup: 2 };
}

// A synchronous op is not awaited: a microtask per call would be charged to it.
const each = (op) => (arrays) => {
  for (const a of arrays) op(a);
};
const eachAwaited = (op) => async (arrays) => {
  for (const a of arrays) await op(a);
};

async function measure(o, impl, Type, pass, rows) {
  for (const n of o.sizes) {
    o.tell(`${impl} ${Type.name} N=${n}`);
    const pool = o.makePool(Type, n);
    const { rounds, warmup } = plan(o, n);
    const ns = await timePasses(pool, pass, rounds, warmup, o.median);
    rows.push({ impl, dtype: Type.name, n, ns });
  }
}

/** The op checked once on a small array: why it is wrong, else null. */
async function wrong(o, Type, op) {
  const x = Type.from({ length: 1024 }, () => Math.random() * 2 - 1);
  const input = new Type(x);
  const bad = mismatch(input, await op(x), o.alpha);
  return bad && `wrong result on ${Type.name} (${bad}), not timed`;
}

// tfjs-node (libtensorflow) cannot be installed offline: its install downloads the
// library. Measured when present, as its own row next to the pure-JS 'cpu' backend.
const TFJS = [
  { pkg: '@tensorflow/tfjs-node', backend: 'tensorflow', impl: 'TensorFlow.js (tfjs-node)' },
  { pkg: '@tensorflow/tfjs', backend: 'cpu', impl: 'TensorFlow.js (cpu backend)' },
];

async function tensorflow(o, rows, notes) {
  for (const { pkg, backend, impl } of TFJS) {
    const { lib: tf, version, why } = load(pkg);
    if (!tf) {
      notes.push(`${impl}: ${why}.`);
      continue;
    }
    // Production mode only silences tfjs's logging, here its "install our node
    // backend" banner on the first tensor, which would break the progress line.
    tf.enableProdMode();
    if (!(await tf.setBackend(backend))) {
      notes.push(`${impl}: ${pkg} ${version} could not initialise its '${backend}' backend.`);
      continue;
    }
    await tf.ready();
    // Disposed by hand, not with tf.tidy(() => ....dataSync()): tidy searches what it
    // returns for tensors, key by key through a typed array, 25x the op at 4Ki elements.
    const op = (a) => {
      const x = tf.tensor1d(a);
      const y = tf.leakyRelu(x, o.alpha);
      const out = y.dataSync();
      tf.dispose([x, y]);
      return out;
    };
    const bad = await wrong(o, Float32Array, op);
    if (bad) notes.push(`${impl}: ${pkg} ${version}, ${bad}.`);
    else {
      await measure(o, impl, Float32Array, each(op), rows);
      notes.push(`${impl}: ${pkg} ${version}, tensor1d, leakyRelu, dataSync and dispose per call; Float32Array only (TensorFlow.js has no float64 dtype).`);
    }
  }
}

/**
 * Protocol-buffer encoding, just what the model below needs. Field numbers from
 * onnx/onnx.proto; wire types: 0 varint, 2 length-delimited, 5 fixed32.
 */
const varint = (v) => {
  const out = [];
  for (; v > 127; v >>>= 7) out.push((v & 127) | 128);
  out.push(v);
  return out;
};
const int = (field, v) => [...varint(field << 3), ...varint(v)];
const bytes = (field, b) => [...varint((field << 3) | 2), ...varint(b.length), ...b];
const str = (field, s) => bytes(field, [...Buffer.from(s)]);
const float = (field, v) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return [...varint((field << 3) | 5), ...b];
};

const ONNX_FLOAT = 1;
const ONNX_DOUBLE = 11;

/** ModelProto of y = LeakyRelu(x, alpha), x and y 1-D of symbolic length 'n'. */
function leakyReluModel(elemType, alpha) {
  // ValueInfoProto{name, type: TypeProto{tensor_type{elem_type, shape{dim{dim_param}}}}}
  const value = (name) => [...str(1, name), ...bytes(2, bytes(1, [...int(1, elemType), ...bytes(2, bytes(1, str(2, 'n')))]))];
  // AttributeProto{name, f, type = FLOAT (1)}
  const alphaAttr = [...str(1, 'alpha'), ...float(2, alpha), ...int(20, 1)];
  // NodeProto{input, output, op_type, attribute}
  const node = [...str(1, 'x'), ...str(2, 'y'), ...str(4, 'LeakyRelu'), ...bytes(5, alphaAttr)];
  // GraphProto{node, name, input, output}
  const graph = [...bytes(1, node), ...str(2, 'leaky_relu'), ...bytes(11, value('x')), ...bytes(12, value('y'))];
  // ModelProto{ir_version 8, graph, opset_import{version 13}} (domain '' is the default)
  return Uint8Array.from([...int(1, 8), ...bytes(7, graph), ...bytes(8, int(2, 13))]);
}

/**
 * ModelProto of y = PRelu(x, slope): x of shape `xDims`, slope of shape `slopeDims`
 * (broadcast to x by ONNX's rules), both graph inputs. A dim is a number or a name.
 */
function preluModel(elemType, xDims, slopeDims) {
  const dim = (d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d));
  const value = (name, dims) => [...str(1, name), ...bytes(2, bytes(1, [...int(1, elemType), ...bytes(2, dims.flatMap(dim))]))];
  const node = [...str(1, 'x'), ...str(1, 'slope'), ...str(2, 'y'), ...str(4, 'PRelu')];
  const graph = [...bytes(1, node), ...str(2, 'prelu'), ...bytes(11, value('x', xDims)), ...bytes(11, value('slope', slopeDims)), ...bytes(12, value('y', xDims))];
  return Uint8Array.from([...int(1, 8), ...bytes(7, graph), ...bytes(8, int(2, 16))]);
}

/**
 * onnxruntime-node's PRelu on one layout: ns per element at n elements (C slopes,
 * `spatial` elements a channel), or why not. Checked once against the rule first.
 */
async function onnxPrelu({ Type, n, channels, spatial, slopes, rounds, makePool, median }) {
  const { lib: ort, version, why } = load('onnxruntime-node');
  if (!ort) return { why };
  const dtype = Type === Float32Array ? 'float32' : 'float64';
  const elemType = Type === Float32Array ? ONNX_FLOAT : ONNX_DOUBLE;
  const threads = os.availableParallelism();
  const rowsOf = n / (channels * spatial);
  // Channels-last [rows, C] with slope [C]; channels-first [batch, C, S] with slope [C, 1].
  const xDims = spatial === 1 ? [rowsOf, channels] : [rowsOf, channels, spatial];
  const slopeDims = spatial === 1 ? [channels] : [channels, 1];
  const session = await ort.InferenceSession.create(preluModel(elemType, xDims, slopeDims), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  try {
    const slope = new ort.Tensor(dtype, Type.from(slopes), slopeDims);
    const op = async (a) => (await session.run({ x: new ort.Tensor(dtype, a, xDims), slope })).y.data;
    const probe = Type.from({ length: n }, () => Math.random() * 2 - 1);
    const got = await op(new Type(probe));
    for (let i = 0; i < n; i++) {
      const s = Type === Float32Array ? Math.fround(slopes[Math.floor(i / spatial) % channels]) : slopes[Math.floor(i / spatial) % channels];
      const ref = probe[i] > 0 ? probe[i] : Type === Float32Array ? Math.fround(s * probe[i]) : s * probe[i];
      if (!(Math.abs(got[i] - ref) <= Math.abs(ref) * 2 ** -23)) return { why: `wrong result (x=${probe[i]} gave ${got[i]}, expected ${ref})`, version };
    }
    const pool = makePool(Type, n);
    const ns = await timePasses(pool, eachAwaited(op), rounds, 2, median);
    return { ns, version, threads };
  } finally {
    await session.release();
  }
}

async function onnxruntime(o, rows, notes) {
  const { lib: ort, version, why } = load('onnxruntime-node');
  if (!ort) {
    notes.push(`onnxruntime-node: ${why}.`);
    return;
  }
  // As many intra-op threads as cores Node may use, stated in the row's name so it
  // reads against this package's async threads, rather than ORT's own count of
  // physical cores. One op: no inter-op parallelism to have.
  const threads = os.availableParallelism();
  const impl = `onnxruntime-node (${threads} threads)`;
  const outcome = [];
  for (const [Type, elemType, dtype] of [[Float32Array, ONNX_FLOAT, 'float32'], [Float64Array, ONNX_DOUBLE, 'float64']]) {
    let session;
    try {
      session = await ort.InferenceSession.create(leakyReluModel(elemType, o.alpha), {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
      });
    } catch (e) {
      outcome.push(`${Type.name} not measured (${e.message.split('\n')[0]})`);
      continue;
    }
    try {
      const op = async (a) => (await session.run({ x: new ort.Tensor(dtype, a, [a.length]) })).y.data;
      const bad = await wrong(o, Type, op);
      if (!bad) await measure(o, impl, Type, eachAwaited(op), rows);
      outcome.push(bad ?? `${Type.name} measured`);
    } finally {
      await session.release();
    }
  }
  notes.push(`${impl}: onnxruntime-node ${version}, one-node LeakyRelu model, await session.run(new Tensor) per call; ${outcome.join('; ')}.`);
}

/**
 * @param {object} o
 * @param {number[]} o.sizes       element counts, e.g. [16, 256, 4096, 65536, 1<<20, 1<<24]
 * @param {number} o.alpha         0.2
 * @param {(Type, n) => {arrays: TypedArray[], n: number, refresh(): number}} o.makePool  (from bench/measure.js)
 * @param {(n) => number} o.roundsFor   (from bench/measure.js)
 * @param {(values:number[]) => number} o.median
 * @param {(what:string) => void} o.tell   progress line
 * @returns {Promise<{ rows: {impl:string, dtype:'Float32Array'|'Float64Array', n:number, ns:number}[], notes: string[] }>}
 *   rows: ns per element (median of passes) for each alternative/dtype/size it could measure;
 *   notes: one short sentence per alternative saying what was measured or why not.
 */
async function measureAlternatives(o) {
  const rows = [];
  const notes = [];
  // An optional comparison that breaks (out of memory, a native error) costs its own
  // note, not the benchmark run that has already been made.
  for (const [name, alternative] of [['TensorFlow.js', tensorflow], ['onnxruntime-node', onnxruntime]]) {
    try {
      await alternative(o, rows, notes);
    } catch (e) {
      notes.push(`${name}: failed: ${e.message.split('\n')[0]}.`);
    }
  }
  return { rows, notes };
}

module.exports = { measureAlternatives, onnxPrelu };
