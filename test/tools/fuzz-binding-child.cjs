// Child process of test/fuzz-binding.test.ts: calls every function of the raw native
// binding with argument lists drawn (fast-check, fixed seed) from hostile values, and
// checks what the contract promises of it: a call returns or throws an Error with a
// string `code` (or passes on, as is, what user code it read threw); an accepted
// submit calls its callback exactly once, later; and nothing crashes the process.
// It runs in a child so that a crash is a failed test with this output, not a dead
// vitest worker. It installs no 'uncaughtException' handler on purpose: an exception
// escaping from the binding (a throwing callback) must kill it, and the test sees that.
//
// Per-channel slopes take the same treatment: forwardSlopes / backwardSlopes and the
// submits' slope forms, with slopes (Float32Array / Float64Array, empty, NaN, too large,
// detached, shared, resizable, hostile values), spatialSize and alphaGrad (of the right
// length, another, detached, over the data's memory, taken by a getter mid-call).
//
// Output: before each call a line `#<case> <call>` (so the last one names the killer),
// at the end one JSON record. Knobs: FUZZ_SEED, FUZZ_RUNS, FUZZ_ONLY=f3,r120 (run only
// those cases), FUZZ_AVOID=fnThrow,huge (skip cases whose description contains one).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const fc = require('fast-check');

const PKG = process.env.PKG || path.resolve(__dirname, '..', '..');
const binding = process.env.LEAKY_RELU_NATIVE_PATH
  ? require(path.resolve(process.env.LEAKY_RELU_NATIVE_PATH))
  : require('node-gyp-build')(PKG);
// The project's cap, as lib/ applies it; fuzzed configure() calls change it later anyway.
if (process.env.LEAKY_RELU_ISA) binding.configure(process.env.LEAKY_RELU_ISA);

const SEED = Number(process.env.FUZZ_SEED || 0x1ea4);
const RUNS = Number(process.env.FUZZ_RUNS || 2500);
const ONLY = process.env.FUZZ_ONLY ? new Set(process.env.FUZZ_ONLY.split(',')) : null;
const AVOID = process.env.FUZZ_AVOID ? process.env.FUZZ_AVOID.split(',') : [];
// An accepted job gets this long to call back; the largest is a few MB of kernel work.
const HANG_MS = 15_000;
const collectYoung = typeof gc === 'function' ? () => gc({ type: 'minor' }) : () => {};
const say = (line) => fs.writeSync(1, line + '\n');

// ---- Bookkeeping

const violations = [];
const thrownCodes = {};
const byFunction = {};
let calls = 0;
let accepted = 0;
let uncounted = 0;
let current = '';
function violation(what) {
  violations.push(`${current}: ${what}`);
}

// Thrown by the hostile user code itself (element getters, proxy traps): the contract
// says such an error reaches the caller as is, so it needs no `code`.
class HostileError extends Error {}

// Every counting callback, with what its submit did: a rejected submit must never call
// it, an accepted one exactly once and not before returning.
const callbacks = [];

// ---- Values, built fresh per call from a spec (plain data fast-check draws and prints)

const NUMS = [NaN, Infinity, -Infinity, -0, 0, 0.2, -0.5, 1, 3, 1e39, -1e39, 3.4e38, 2 ** 53 + 2,
  2 ** 32, 2 ** 31 - 1, -(2 ** 63), Number.MAX_VALUE, Number.MIN_VALUE, 1.5, 4294967295];
const STRINGS = ['', 'avx512', 'avx2', 'scalar', 'neon', 'AVX512', 'js', '0.2', 'avx2\u0000x', 'x'.repeat(5000), 'float16', 'bfloat16', 'float16\u0000'];
const BIGINTS = [0n, 1n, -1n, 2n ** 64n, -(2n ** 70n)];
const CTORS = { f32: Float32Array, f64: Float64Array };
const realm = vm.createContext({});

// On while this script makes its own arrays: a user constructor or overridden getter
// run at any other time was run by the binding, which must recognise a subclass by
// what it is and never call a user constructor (Symbol.species).
let building = false;
class Sub32 extends Float32Array {}
class Sub64 extends Float64Array {}
function makeSubArgs(Base) {
  return class SubArgs extends Base {
    constructor(tag, n) {
      if (!building) violation('called a user constructor (Symbol.species?)');
      super(typeof n === 'number' ? n : 0);
      this.tag = tag;
    }
  };
}
const SubArgs = { f32: makeSubArgs(Float32Array), f64: makeSubArgs(Float64Array) };
// Overrides what a careless binding might read; a typed array is what it really is.
function makeLiar(Base) {
  return class Liar extends Base {
    get length() { if (building) return super.length; violation('read the overridden length getter'); return 2 ** 32; }
    get byteLength() { if (building) return super.byteLength; violation('read the overridden byteLength getter'); return 2 ** 34; }
    get buffer() { if (building) return super.buffer; violation('read the overridden buffer getter'); return new ArrayBuffer(8); }
    static get [Symbol.species]() { if (!building) violation('read Symbol.species'); return Base; }
  };
}
const Liar = { f32: makeLiar(Float32Array), f64: makeLiar(Float64Array) };

// A few large arrays made once and shared by all calls (memory stays bounded): 300000
// elements is more than one 1 MiB chunk, so jobs on them split across lanes. Views on
// them alias across calls, so busy and overlap checks get exercised too.
const POOL = [new Float32Array(300000), new Float64Array(300000), new Float32Array(300001), new Float32Array(64), new Float64Array(64)];
for (const a of POOL) fillPattern(a);

// Mostly negative values, so that a transform shows.
function fillPattern(a) {
  for (let i = 0; i < a.length; i++) a[i] = i % 3 === 0 ? (i % 5) + 0.25 : -((i % 7) + 0.5);
  return a;
}

// `building` on: our own reads of the subclasses' getters are not the binding's.
function freshFloat(spec, ctx) {
  building = true;
  try {
    return makeFloat(spec, ctx);
  } finally {
    building = false;
  }
}

function makeFloat(spec, ctx) {
  const { t, n, form } = spec;
  const C = CTORS[t];
  const es = C.BYTES_PER_ELEMENT;
  let a;
  switch (form) {
    case 'fresh': a = new C(n); break;
    case 'odd': a = new C(new ArrayBuffer((n + 3) * es), es * (1 + (n % 3)), n); break;
    case 'rab': a = new C(new ArrayBuffer(n * es, { maxByteLength: 2 * n * es + es })); break;
    case 'rabFixed': a = new C(new ArrayBuffer(n * es + es, { maxByteLength: 2 * n * es + es }), es, n); break;
    case 'rabOob': {
      const ab = new ArrayBuffer(n * es + es, { maxByteLength: 2 * n * es + es });
      a = new C(ab, es, n);
      ab.resize(0); // a fixed-length view now out of bounds
      return a;
    }
    case 'gsab': a = new C(new SharedArrayBuffer(n * es, { maxByteLength: 2 * n * es + es })); break;
    case 'gsabFixed': a = new C(new SharedArrayBuffer(n * es + es, { maxByteLength: 2 * n * es + es }), es, n); break;
    case 'sab': a = new C(new SharedArrayBuffer(n * es)); break;
    case 'realm': a = vm.runInContext(`new ${C.name}(${n})`, realm); break;
    case 'sub': a = new (t === 'f32' ? Sub32 : Sub64)(n); break;
    case 'subArgs': a = new SubArgs[t]('tag', n); break;
    case 'liar': a = new Liar[t](n); break;
    case 'detached': {
      a = fillPattern(new C(n));
      structuredClone(a.buffer, { transfer: [a.buffer] });
      return a;
    }
    default: throw new Error(`unknown form ${form}`);
  }
  fillPattern(a);
  // Victims: what a getter may detach or resize during the call (never shared ones).
  ctx.victims.push({ a, buffer: a.buffer });
  return a;
}

function otherTyped(kind) {
  switch (kind) {
    case 'Int32Array': return new Int32Array([-3, 4, -5, 6]);
    case 'Uint16Array': return new Uint16Array(64);
    case 'Uint8Array': return new Uint8Array(64);
    case 'BigInt64Array': return new BigInt64Array(8);
    case 'DataView': return new DataView(new Float32Array(64).buffer);
    case 'Buffer': return Buffer.from(new Float32Array(64).buffer);
    case 'Buffer512': return Buffer.alloc(512);
    default: throw new Error(kind);
  }
}

function spoof(v) {
  if (v === 0) return { [Symbol.toStringTag]: 'Float32Array', length: 64, byteLength: 256, byteOffset: 0, buffer: new ArrayBuffer(256) };
  const a = new Int32Array(64);
  Object.defineProperty(a, Symbol.toStringTag, { value: 'Float32Array' });
  return a;
}

function hostileObject(v) {
  switch (v) {
    case 'plain': return {};
    case 'lengthy': return { length: 2 ** 32 - 1, 0: new Float32Array(8) };
    case 'nullProto': return Object.create(null);
    case 'valueOf': return { valueOf() { throw new HostileError('valueOf'); }, [Symbol.toPrimitive]() { throw new HostileError('toPrimitive'); } };
    case 'boxed': return new Number(0.2);
    case 'boxedString': return new String('avx2');
    case 'date': return new Date(0);
    case 'regexp': return /x/;
    case 'promise': return Promise.resolve(1);
    case 'weakmap': return new WeakMap();
    default: throw new Error(v);
  }
}

// A function value: counting ones are tracked so accepted submits can be checked.
function hostileFunction(v, ctx) {
  if (v === 'class') return class Callback {};
  const record = { call: current, calls: 0, accepted: false, returned: false, checkedArgs: false };
  const count = (args) => {
    record.calls++;
    if (!record.returned) violation(`callback (${v}) called before the submit returned`);
    const [error, cancelled] = args;
    if (!record.checkedArgs) {
      record.checkedArgs = true;
      const okError = error === null || (error instanceof Error && typeof error.code === 'string');
      if (!okError || typeof cancelled !== 'boolean') violation(`callback got (${String(error)}, ${String(cancelled)})`);
    }
  };
  let fn;
  switch (v) {
    case 'count': fn = function done(...args) { count(args); }; break;
    case 'throw': fn = function done(...args) { count(args); throw new HostileError(`hostile callback of ${record.call} threw`); }; break;
    case 'async': fn = async (...args) => { count(args); }; break;
    case 'bound': fn = function done(...args) { count(args); }.bind(null); break;
    case 'proxy': fn = new Proxy(function done(...args) { count(args); }, {}); break;
    // Calls back into the binding from inside its own callback.
    case 'reenter': fn = function done(...args) { count(args); reenter(record); }; break;
    default: throw new Error(v);
  }
  callbacks.push(record);
  ctx.callbacks.push({ fn, record });
  return fn;
}

function reenter(record) {
  const saved = current;
  current = `${record.call} (reentered from its callback)`;
  const a = fillPattern(new Float32Array(300));
  attempt('forward', [a, 0.2]);
  attempt('cancel', [record.id]);
  const ctx = newCtx();
  attempt('submitForward', [[a], [a], 0.5, hostileFunction('count', ctx)], ctx);
  current = saved;
}

function transferAway(buffer) {
  structuredClone(buffer, { transfer: [buffer] });
}

// What a getter (on a list element, a list's prototype or a proxy trap) does when read.
function act(action, ctx, list, at) {
  const { do: what, v } = action;
  try {
    switch (what) {
      case 'throw': throw new HostileError(`getter at ${at} threw`);
      case 'transfer': case 'drop': {
        const victims = ctx.victims.filter(({ buffer }) => !(buffer instanceof SharedArrayBuffer));
        if (victims.length === 0) return;
        const victim = victims[v % victims.length];
        if (what === 'transfer') {
          // The memory now belongs to `clone`: the binding must not write it any more.
          const clone = structuredClone(victim.buffer, { transfer: [victim.buffer] });
          new Uint8Array(clone).fill(0xa5);
          ctx.canaries.push({ clone, bytes: new Uint8Array(clone).slice(), call: current });
        } else {
          // Dropped (not even on this stack) and collected: the memory is freed, and
          // ASan reports any later touch (a large one may be unmapped: SIGSEGV without
          // ASan). A young-generation collection frees it and costs ~1 ms, not ~20.
          transferAway(victim.buffer);
          collectYoung();
        }
        return;
      }
      case 'shrink': {
        const victims = ctx.victims.filter(({ buffer }) => buffer.resizable);
        if (victims.length === 0) return;
        const buffer = victims[v % victims.length].buffer;
        const before = buffer.byteLength;
        buffer.resize(0); // V8 zeroes the tail and decommits its pages
        ctx.shrunk.push({ buffer, before, call: current });
        return;
      }
      case 'grow': {
        const victims = ctx.victims.filter(({ buffer }) => buffer.growable);
        if (victims.length === 0) return;
        const buffer = victims[v % victims.length].buffer;
        buffer.grow(buffer.maxByteLength);
        return;
      }
      case 'transferItem0': {
        // The list's first element (an alphaGrad, say) taken after it was read.
        const first = list[0];
        if (!ArrayBuffer.isView(first) || first.buffer instanceof SharedArrayBuffer) return;
        const clone = structuredClone(first.buffer, { transfer: [first.buffer] });
        new Uint8Array(clone).fill(0xa5);
        ctx.canaries.push({ clone, bytes: new Uint8Array(clone).slice(), call: current });
        return;
      }
      case 'truncate': list.length = 0; return;
      case 'extend': for (let i = 0; i < 1000; i++) list.push(POOL[3]); return;
      case 'gc': collectYoung(); return;
      default: throw new Error(what);
    }
  } catch (error) {
    if (error instanceof HostileError) throw error;
    // The action could not be done (a SharedArrayBuffer cannot be transferred...): no-op.
  }
}

function buildList(spec, ctx) {
  const items = spec.items.map((s) => build(s, ctx));
  ctx.lists.push(items);
  const list = items.slice();
  const g = spec.getter;
  if (g) {
    const at = Math.min(g.at, list.length);
    const item = items[at];
    // The action fires on the first read only: a list passed twice (in place) reads the
    // element twice, and a second transfer would hit another victim.
    let fired = false;
    const get = () => {
      if (!fired) {
        fired = true;
        act(g.act, ctx, list, at);
      }
      return item;
    };
    if (g.via === 'proto') {
      // A hole read through a prototype getter.
      delete list[at];
      if (at >= list.length) list.length = at + 1;
      const proto = Object.create(Array.prototype);
      Object.defineProperty(proto, at, { get, configurable: true });
      Object.setPrototypeOf(list, proto);
    } else {
      Object.defineProperty(list, at, { get, configurable: true, enumerable: true });
      if (at >= list.length) list.length = at + 1;
    }
  }
  if (spec.proxy) {
    let fired = false;
    return new Proxy(list, {
      get(target, key, receiver) {
        if (key === 'length' && spec.proxy === 'lyingLength') return 2 ** 32 - 1;
        if (spec.proxy === 'action' && key === '1' && !fired) {
          fired = true;
          act({ do: 'transfer', v: 0 }, ctx, list, 1);
        }
        return Reflect.get(target, key, receiver);
      },
    });
  }
  return list;
}

// The intrinsic getters see what a value really is (any realm, whatever it overrides).
const TypedArrayProto = Object.getPrototypeOf(Int8Array.prototype);
const realType = Object.getOwnPropertyDescriptor(TypedArrayProto, Symbol.toStringTag).get;
const realLength = Object.getOwnPropertyDescriptor(TypedArrayProto, 'length').get;

// Twins of large arrays are views on these (two of each type, taken in turn), not
// fresh megabytes per call; their values do not matter, so they are not refilled
// (a job may still be writing them).
const TWINS = { f32: [new Float32Array(300001), new Float32Array(300001)], f64: [new Float64Array(300001), new Float64Array(300001)] };
let twinTurn = 0;

function twin(a, ctx) {
  const type = realType.call(a);
  if (type !== 'Float32Array' && type !== 'Float64Array') return freshFloat({ t: 'f32', n: 8, form: 'fresh' }, ctx);
  const t = type === 'Float32Array' ? 'f32' : 'f64';
  const n = realLength.call(a);
  if (n > 4096) return TWINS[t][twinTurn++ % 2].subarray(0, n);
  return freshFloat({ t, n, form: 'fresh' }, ctx);
}

// Made once each: the binding only reads them, and new Array(1e7) is 80 MB of holes
// in V8 (the longer ones are dictionaries, cheap).
const HUGE = new Map();
function huge(n) {
  if (!HUGE.has(n)) HUGE.set(n, new Array(n));
  return HUGE.get(n);
}

// ---- Per-channel slopes

const SLOPE_VALUES = [0.5, -0.25, 2, 0, -0, 1.5, 0.2, -3];

// Slopes as the binding takes them (it copies them before reading any list element).
function makeSlopes(spec, ctx) {
  const { t, n, v } = spec;
  const C = CTORS[t];
  const es = C.BYTES_PER_ELEMENT;
  const fillSlopes = (a) => {
    for (let i = 0; i < a.length; i++) a[i] = SLOPE_VALUES[i % SLOPE_VALUES.length];
    return a;
  };
  let a;
  switch (v) {
    case 'ok': a = fillSlopes(new C(n)); break;
    case 'nan': a = fillSlopes(new C(n)); if (n > 0) a[n - 1] = NaN; break;
    // Past float32 (float64 slopes), or past float16 and bfloat16's range but not float32's.
    case 'big': a = fillSlopes(new C(n)); if (n > 0) a[0] = t === 'f64' ? 1e39 : 3.3e38; break;
    case 'odd': a = fillSlopes(new C(new ArrayBuffer((n + 2) * es), es, n)); break;
    case 'sab': a = fillSlopes(new C(new SharedArrayBuffer(n * es))); break;
    case 'rab': a = fillSlopes(new C(new ArrayBuffer(n * es, { maxByteLength: 2 * n * es + es }))); break;
    case 'detached': a = fillSlopes(new C(2)); transferAway(a.buffer); return a;
    default: throw new Error(`unknown slopes ${v}`);
  }
  ctx.victims.push({ a, buffer: a.buffer });
  return a;
}

// How many slopes an argument holds, as the binding would count them (1 for anything else).
function channelsOf(slopes) {
  if (typeof slopes === 'number') return 1;
  try {
    const type = realType.call(slopes);
    return type === 'Float32Array' || type === 'Float64Array' ? Math.max(1, realLength.call(slopes)) : 1;
  } catch {
    return 1;
  }
}

// The length of a data argument, or of a list's first element (0 when there is none).
function lengthOfArg(v) {
  try {
    return realLength.call(Array.isArray(v) ? v[0] : v);
  } catch {
    return 0;
  }
}

function makeGrad(n, form, ctx) {
  let g;
  switch (form) {
    case 'fresh': g = new Float64Array(n); break;
    case 'odd': g = new Float64Array(new ArrayBuffer((n + 2) * 8), 8, n); break;
    case 'sab': g = new Float64Array(new SharedArrayBuffer(n * 8)); break;
    case 'rab': g = new Float64Array(new ArrayBuffer(n * 8, { maxByteLength: 2 * n * 8 + 8 })); break;
    case 'f32': g = new Float32Array(n); break;
    case 'detached': g = new Float64Array(n); transferAway(g.buffer); return g;
    default: throw new Error(`unknown alphaGrad form ${form}`);
  }
  g.fill(NaN);
  ctx.victims.push({ a: g, buffer: g.buffer });
  return g;
}

// A Float64Array over the memory of another argument (an overlap the binding must refuse).
function gradOver(target, n, ctx) {
  try {
    const buffer = target.buffer;
    const begin = Math.ceil(target.byteOffset / 8) * 8;
    const count = Math.min(n, Math.floor((target.byteOffset + target.byteLength - begin) / 8));
    if (count >= 1) return new Float64Array(buffer, begin, count);
  } catch {
    // Not a typed array, or detached: a fresh one instead.
  }
  return makeGrad(n, 'fresh', ctx);
}

function build(spec, ctx) {
  switch (spec.k) {
    case 'undefined': return undefined;
    case 'null': return null;
    case 'num': return NUMS[spec.i];
    case 'str': return STRINGS[spec.i];
    case 'sym': return Symbol('avx2');
    case 'big': return BIGINTS[spec.i];
    case 'bool': return spec.v;
    case 'obj': return hostileObject(spec.v);
    case 'fn': return hostileFunction(spec.v, ctx);
    case 'fa': return freshFloat(spec, ctx);
    case 'pool': {
      const a = POOL[spec.p];
      return spec.sub ? a.subarray(spec.sub[0], Math.min(a.length, spec.sub[0] + spec.sub[1])) : a;
    }
    case 'typed': return otherTyped(spec.v);
    case 'spoof': return spoof(spec.v);
    case 'proxyTA': {
      const target = fillPattern(new Float32Array(64));
      return new Proxy(target, spec.trap ? { get() { throw new HostileError('proxy trap'); } } : {});
    }
    case 'list': return buildList(spec, ctx);
    case 'huge': return huge(spec.n);
    case 'repeat': {
      const item = build(spec.item, ctx);
      return new Array(spec.n).fill(item);
    }
    // The same object as an earlier argument (in place), or a list of that list's items.
    case 'ref': return ctx.args[spec.arg];
    case 'sameItems': {
      const items = ctx.lists[spec.list];
      return items ? items.slice() : [];
    }
    // A fresh array of an earlier argument's element type and length (or a list of
    // such for an earlier list's items), so that calls get past the length checks.
    case 'twin': return twin(ctx.args[spec.of], ctx);
    case 'twinItems': return (ctx.lists[spec.list] || []).map((a) => twin(a, ctx));
    case 'jobId': return lastIds.length ? lastIds[Math.max(0, lastIds.length - 1 - spec.back)] : 1;
    case 'int': return spec.v;
    case 'slopes': return makeSlopes(spec, ctx);
    case 'grad': return makeGrad(spec.n, spec.form, ctx);
    case 'gradFor': return makeGrad(channelsOf(ctx.args[spec.of]), spec.form, ctx);
    case 'slopesFit': {
      // A slope count that divides the data's length (so that calls get past the lengths stage).
      const n = lengthOfArg(ctx.args[spec.of]);
      const C = [8, 7, 3, 2, 1].find((c) => n % c === 0) || 1;
      return makeSlopes({ t: spec.t, n: C, v: 'ok' }, ctx);
    }
    case 'spatialFor': {
      const n = lengthOfArg(ctx.args[spec.of]);
      const C = channelsOf(ctx.args[spec.slopes]);
      const fits = INTS.filter((S) => n > 0 && n % (C * S) === 0);
      return fits.length ? fits[spec.pick % fits.length] : 1;
    }
    case 'gradOver': return gradOver(ctx.args[spec.of], channelsOf(ctx.args[spec.slopes]), ctx);
    case 'gradItems': {
      const C = channelsOf(ctx.args[spec.of]);
      return (ctx.lists[spec.list] || []).map((_, i) => (spec.holes && i % 2 === 1 ? undefined : makeGrad(C, 'fresh', ctx)));
    }
    default: throw new Error(`unknown spec ${spec.k}`);
  }
}

function describe(spec) {
  switch (spec.k) {
    case 'undefined': case 'null': case 'sym': return spec.k;
    case 'num': return Object.is(NUMS[spec.i], -0) ? '-0' : String(NUMS[spec.i]);
    case 'str': return JSON.stringify(STRINGS[spec.i].length > 20 ? `${STRINGS[spec.i].slice(0, 8)}…(${STRINGS[spec.i].length})` : STRINGS[spec.i]);
    case 'big': return `${BIGINTS[spec.i]}n`;
    case 'bool': return String(spec.v);
    case 'obj': return `obj:${spec.v}`;
    case 'fn': return `fn${spec.v[0].toUpperCase()}${spec.v.slice(1)}`;
    case 'fa': return `${spec.t}[${spec.n}]${spec.form === 'fresh' ? '' : `:${spec.form}`}`;
    case 'pool': return `pool${spec.p}${spec.sub ? `.subarray(${spec.sub[0]},+${spec.sub[1]})` : ''}`;
    case 'typed': return spec.v;
    case 'spoof': return spec.v === 0 ? 'spoof{toStringTag}' : 'Int32Array{toStringTag:Float32Array}';
    case 'proxyTA': return `Proxy(f32[64]${spec.trap ? ', throwing get' : ''})`;
    case 'list': {
      const parts = spec.items.map(describe);
      const g = spec.getter;
      if (g) parts.push(`getter@${g.at}${g.via === 'proto' ? '(proto)' : ''}:${g.act.do}(victim ${g.act.v})`);
      const s = `[${parts.join(', ')}]`;
      return spec.proxy ? `Proxy${spec.proxy === 'plain' ? '' : `:${spec.proxy}`}${s}` : s;
    }
    case 'huge': return `huge(${spec.n})`;
    case 'repeat': return `repeat(${describe(spec.item)} x${spec.n})`;
    case 'ref': return `same as arg ${spec.arg}`;
    case 'sameItems': return `items of list ${spec.list}`;
    case 'twin': return `fresh like arg ${spec.of}`;
    case 'twinItems': return `fresh like items of list ${spec.list}`;
    case 'jobId': return `jobId(-${spec.back})`;
    case 'int': return String(spec.v);
    case 'slopes': return `slopes:${spec.t}[${spec.n}]${spec.v === 'ok' ? '' : `:${spec.v}`}`;
    case 'grad': return `grad[${spec.n}]${spec.form === 'fresh' ? '' : `:${spec.form}`}`;
    case 'gradFor': return `grad[C of arg ${spec.of}]${spec.form === 'fresh' ? '' : `:${spec.form}`}`;
    case 'slopesFit': return `slopes:${spec.t}[dividing the length of arg ${spec.of}]`;
    case 'spatialFor': return `spatialSize fitting arg ${spec.of} (pick ${spec.pick})`;
    case 'gradOver': return `grad over arg ${spec.of}`;
    case 'gradItems': return `grads for the items of list ${spec.list}${spec.holes ? ', every other undefined' : ''}`;
    default: return JSON.stringify(spec);
  }
}

// ---- Arbitraries (weights push the dangerous constructions up)

const w = (weight, arbitrary) => ({ weight, arbitrary });
const idx = (array) => fc.integer({ min: 0, max: array.length - 1 });
const SIZES = [0, 1, 7, 56, 57, 1000, 4096];
const FORMS = ['fresh', 'fresh', 'odd', 'rab', 'rabFixed', 'rabOob', 'gsab', 'gsabFixed', 'sab', 'realm', 'sub', 'subArgs', 'liar', 'detached'];

const floatSpec = fc.oneof(
  w(6, fc.record({ k: fc.constant('fa'), t: fc.constantFrom('f32', 'f64'), n: fc.constantFrom(...SIZES), form: fc.constantFrom(...FORMS) })),
  // The large arrays (more than one chunk) come from the pool, whole or as views.
  w(3, fc.record({ k: fc.constant('pool'), p: idx(POOL), sub: fc.option(fc.tuple(fc.constantFrom(0, 1, 3, 1000, 299990), fc.constantFrom(0, 5, 56, 4096, 300000)), { nil: undefined }) })),
);

const primitiveSpec = fc.oneof(
  fc.constantFrom({ k: 'undefined' }, { k: 'null' }, { k: 'sym' }, { k: 'bool', v: true }),
  idx(NUMS).map((i) => ({ k: 'num', i })),
  idx(STRINGS).map((i) => ({ k: 'str', i })),
  idx(BIGINTS).map((i) => ({ k: 'big', i })),
);
const objectSpec = fc.oneof(
  fc.constantFrom('plain', 'lengthy', 'nullProto', 'valueOf', 'boxed', 'boxedString', 'date', 'regexp', 'promise', 'weakmap').map((v) => ({ k: 'obj', v })),
  fc.constantFrom('Int32Array', 'Uint16Array', 'Uint8Array', 'BigInt64Array', 'DataView', 'Buffer', 'Buffer512').map((v) => ({ k: 'typed', v })),
  fc.constantFrom(0, 1).map((v) => ({ k: 'spoof', v })),
  fc.boolean().map((trap) => ({ k: 'proxyTA', trap })),
);
const fnSpec = fc.oneof(
  w(5, fc.constant({ k: 'fn', v: 'count' })),
  w(1, fc.constantFrom('throw', 'class', 'async', 'bound', 'proxy', 'reenter').map((v) => ({ k: 'fn', v }))),
);
// A callback for an otherwise well-formed submit: throwing ones often enough to be met.
const callbackSpec = fc.oneof(w(12, fnSpec), w(2, fc.constant({ k: 'fn', v: 'throw' })), w(1, primitiveSpec));

const ACTIONS = ['transfer', 'drop', 'shrink', 'grow', 'throw', 'truncate', 'extend', 'gc'];
const getterSpec = fc.record({
  at: fc.integer({ min: 0, max: 4 }),
  via: fc.constantFrom('own', 'own', 'proto'),
  act: fc.record({ do: fc.constantFrom(...ACTIONS), v: fc.integer({ min: 0, max: 3 }) }),
});
const listSpec = fc.oneof(
  w(4, fc.record({ k: fc.constant('list'), items: fc.array(floatSpec, { maxLength: 4 }) })),
  w(3, fc.record({ k: fc.constant('list'), items: fc.array(floatSpec, { minLength: 1, maxLength: 4 }), getter: getterSpec })),
  w(1, fc.record({ k: fc.constant('list'), items: fc.array(floatSpec, { minLength: 2, maxLength: 3 }), proxy: fc.constantFrom('plain', 'lyingLength', 'action') })),
  // 2^32-1 is the largest array length (no std::vector of that many tasks fits in
  // memory); new Array(1e7) is 80 MB of holes, made once.
  w(2, fc.constantFrom(2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 2, 2 ** 31, 65536, 1e7).map((n) => ({ k: 'huge', n }))),
  w(1, fc.record({ k: fc.constant('repeat'), item: floatSpec, n: fc.constantFrom(2, 1000, 100000) })),
  w(1, fc.array(fc.oneof(primitiveSpec, objectSpec), { minLength: 1, maxLength: 3 }).map((items) => ({ k: 'list', items }))),
);

// A list whose element getter (not the first element) takes the memory of an element
// already read: the use-after-free and out-of-bounds shapes, drawn on purpose.
const victimListSpec = fc
  .record({
    do: fc.constantFrom('transfer', 'drop', 'shrink'),
    t: fc.constantFrom('f32', 'f64'),
    // A victim must be fresh; one of more than a chunk (1.2-2.4 MB) only now and then.
    n: fc.constantFrom(1024, 4096, 4096, 40000, 40000, 40000, 300000),
    more: fc.integer({ min: 1, max: 2 }),
    via: fc.constantFrom('own', 'own', 'proto'),
  })
  .map(({ do: what, t, n, more, via }) => {
    const form = what === 'shrink' ? 'rab' : 'fresh';
    const items = [{ k: 'fa', t, n, form }];
    for (let i = 0; i < more; i++) items.push({ k: 'fa', t, n: 56, form: 'fresh' });
    return { k: 'list', items, getter: { at: more, via, act: { do: what, v: 0 } } };
  });

const anySpec = fc.oneof(
  w(3, primitiveSpec), w(2, objectSpec), w(2, fnSpec), w(3, floatSpec), w(2, listSpec), w(1, victimListSpec),
);
const alphaSpec = fc.oneof(w(8, fc.constantFrom(5, 6, 7, 8, 18).map((i) => ({ k: 'num', i }))), w(1, anySpec));
const arrayArg = fc.oneof(w(5, floatSpec), w(1, anySpec));
const extraArgs = fc.oneof(w(4, fc.constant([])), w(1, fc.array(anySpec, { maxLength: 2 })));

// The second list of a submit: the same list (in place), a list of the same arrays,
// a parallel fresh list, or anything.
const pairedSpec = (first) => fc.oneof(
  w(3, fc.constant({ k: 'ref', arg: first })),
  w(2, fc.constant({ k: 'sameItems', list: first })),
  w(3, fc.constant({ k: 'twinItems', list: first })),
  w(2, listSpec),
  w(1, victimListSpec),
  w(1, anySpec),
);
const submitLists = fc.oneof(w(3, listSpec), w(3, victimListSpec), w(1, anySpec));

const outSpec = fc.oneof(
  w(2, fc.constant(null)), w(1, fc.constant({ k: 'ref', arg: 0 })), w(2, fc.constant({ k: 'twin', of: 0 })), w(2, arrayArg),
);
const secondInput = (first) => fc.oneof(w(3, first), w(1, fc.constant({ k: 'ref', arg: 0 })), w(1, arrayArg));
const INTS = [1, 2, 3, 7, 8, 56, 64, 1000, 300000];
const slopeSpec = fc.record({
  k: fc.constant('slopes'),
  t: fc.constantFrom('f32', 'f64'),
  n: fc.constantFrom(1, 1, 2, 3, 7, 8, 8, 0),
  v: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'ok', 'nan', 'big', 'odd', 'sab', 'rab', 'detached'),
});
// Slopes at `slopesAt`, the data (or the list of it) at `dataAt`: fitted ones often, so
// that many calls get past the lengths stage and run.
const slopesArg = (dataAt) => fc.oneof(
  w(5, slopeSpec), w(4, fc.constantFrom('f32', 'f64').map((t) => ({ k: 'slopesFit', t, of: dataAt }))), w(2, alphaSpec), w(1, anySpec),
);
const spatialArg = (dataAt, slopesAt) => fc.oneof(
  w(5, fc.constantFrom(...INTS).map((v) => ({ k: 'int', v }))),
  w(5, fc.integer({ min: 0, max: 8 }).map((pick) => ({ k: 'spatialFor', of: dataAt, slopes: slopesAt, pick }))),
  w(1, fc.constant({ k: 'undefined' })), w(1, idx(NUMS).map((i) => ({ k: 'num', i }))), w(1, anySpec),
);
const halfArg = fc.oneof(w(6, fc.constant({ k: 'undefined' })), w(1, idx(STRINGS).map((i) => ({ k: 'str', i }))), w(1, anySpec));
const GRAD_FORMS = ['fresh', 'fresh', 'fresh', 'odd', 'sab', 'rab', 'f32', 'detached'];
// backwardSlopes(dy, x, slopes, spatialSize, out, half, alphaGrad): the slopes are arg 2.
const gradArg = fc.oneof(
  w(5, fc.constantFrom(...GRAD_FORMS).map((form) => ({ k: 'gradFor', of: 2, form }))),
  w(2, fc.constant({ k: 'undefined' })),
  w(1, fc.record({ k: fc.constant('grad'), n: fc.constantFrom(0, 1, 2, 3, 8), form: fc.constantFrom(...GRAD_FORMS) })),
  w(1, fc.constantFrom(0, 1, 4).map((of) => ({ k: 'gradOver', of, slopes: 2 }))),
  w(1, anySpec),
);
// submitBackward's alphaGrads: one per task of list 0 (dys), slopes at arg 3.
const gradsArg = fc.oneof(
  w(5, fc.boolean().map((holes) => ({ k: 'gradItems', list: 0, of: 3, holes }))),
  w(2, fc.constant({ k: 'undefined' })),
  w(1, fc.constantFrom(...GRAD_FORMS).map((form) => ({ k: 'list', items: [{ k: 'gradFor', of: 3, form }] }))),
  w(1, fc.constant({ k: 'list', items: [{ k: 'gradFor', of: 3, form: 'fresh' }, { k: 'gradFor', of: 3, form: 'fresh' }], getter: { at: 1, via: 'own', act: { do: 'transferItem0', v: 0 } } })),
  w(1, listSpec),
  w(1, anySpec),
);
const halvesArg = fc.oneof(w(6, fc.constant({ k: 'undefined' })), w(1, listSpec), w(1, anySpec));
const orUndefined = (spec) => spec || { k: 'undefined' };

const shaped = {
  forward: fc.tuple(arrayArg, alphaSpec, outSpec, extraArgs)
    .map(([x, a, out, extra]) => [x, a, ...(out ? [out] : []), ...extra]),
  backward: fc.tuple(arrayArg, secondInput(fc.constant({ k: 'twin', of: 0 })), alphaSpec, outSpec, extraArgs)
    .map(([dy, x, a, out, extra]) => [dy, x, a, ...(out ? [out] : []), ...extra]),
  submitForward: fc.oneof(
    w(3, fc.tuple(submitLists, pairedSpec(0), alphaSpec, callbackSpec, extraArgs)
      .map(([xs, outs, a, cb, extra]) => [xs, outs, a, cb, ...extra])),
    // With slopes: halves (mostly undefined), then spatialSize.
    w(2, fc.tuple(submitLists, pairedSpec(0), slopesArg(0), callbackSpec, halvesArg, spatialArg(0, 2), extraArgs)
      .map(([xs, outs, s, cb, halves, sp, extra]) => [xs, outs, s, cb, halves, sp, ...extra])),
  ),
  submitBackward: fc.oneof(
    w(3, fc.tuple(submitLists, fc.oneof(w(3, fc.constant({ k: 'twinItems', list: 0 })), w(1, submitLists)), pairedSpec(0), alphaSpec, callbackSpec, extraArgs)
      .map(([dys, xs, outs, a, cb, extra]) => [dys, xs, outs, a, cb, ...extra])),
    w(2, fc.tuple(submitLists, fc.oneof(w(3, fc.constant({ k: 'twinItems', list: 0 })), w(1, submitLists)), pairedSpec(0), slopesArg(0), callbackSpec, halvesArg, spatialArg(0, 3), gradsArg, extraArgs)
      .map(([dys, xs, outs, s, cb, halves, sp, grads, extra]) => [dys, xs, outs, s, cb, halves, sp, grads, ...extra])),
  ),
  forwardSlopes: fc.tuple(arrayArg, slopesArg(0), spatialArg(0, 1), outSpec, halfArg, extraArgs)
    .map(([x, s, sp, out, half, extra]) => [x, s, sp, orUndefined(out), half, ...extra]),
  backwardSlopes: fc.tuple(arrayArg, secondInput(fc.constant({ k: 'twin', of: 0 })), slopesArg(0), spatialArg(0, 2), outSpec, halfArg, gradArg, extraArgs)
    .map(([dy, x, s, sp, out, half, grad, extra]) => [dy, x, s, sp, orUndefined(out), half, grad, ...extra]),
  cancel: fc.tuple(fc.oneof(w(3, fc.integer({ min: 0, max: 3 }).map((back) => ({ k: 'jobId', back }))), w(1, anySpec)), extraArgs)
    .map(([id, extra]) => [id, ...extra]),
  addressOf: fc.tuple(arrayArg, extraArgs).map(([a, extra]) => [a, ...extra]),
  configure: fc.tuple(fc.oneof(w(3, idx(STRINGS).map((i) => ({ k: 'str', i }))), w(1, anySpec)), extraArgs)
    .map(([cap, extra]) => [cap, ...extra]),
};
const nameArb = fc.oneof(
  w(4, fc.constant('submitForward')), w(3, fc.constant('submitBackward')), w(3, fc.constant('forward')), w(3, fc.constant('backward')),
  w(2, fc.constant('forwardSlopes')), w(2, fc.constant('backwardSlopes')),
  w(1, fc.constantFrom('cancel', 'addressOf', 'configure', 'bestIsa', 'threads', 'stats')),
);
// Shaped argument lists most of the time, any list of 0..6 hostile values otherwise.
const callArb = nameArb.chain((name) => fc.record({
  name: fc.constant(name),
  args: shaped[name] ? fc.oneof(w(3, shaped[name]), w(1, fc.array(anySpec, { maxLength: 6 }))) : fc.array(anySpec, { maxLength: 6 }),
  // Let jobs finish now and then, so shared arrays are not always busy.
  pause: fc.constantFrom('none', 'none', 'immediate', 'immediate', 'timeout'),
}));

// Known-dangerous calls, run first on every run (each crashed or corrupted memory once).
const f32 = (n, form = 'fresh') => ({ k: 'fa', t: 'f32', n, form });
const count = { k: 'fn', v: 'count' };
const alpha = { k: 'num', i: 5 };
const getterList = (first, act, via = 'own', v = 0) => ({ k: 'list', items: [first, f32(56)], getter: { at: 1, via, act: { do: act, v } } });
const FIXED = [
  // std::vector of 2^32-1 tasks: std::bad_alloc, which no C caller catches (abort).
  { name: 'submitForward', args: [{ k: 'huge', n: 2 ** 32 - 1 }, { k: 'ref', arg: 0 }, alpha, count] },
  { name: 'submitBackward', args: [{ k: 'huge', n: 2 ** 32 - 1 }, { k: 'ref', arg: 0 }, { k: 'ref', arg: 0 }, alpha, count] },
  { name: 'submitForward', args: [{ k: 'huge', n: 1e7 }, { k: 'huge', n: 1e7 }, alpha, count] },
  // Element 1's getter takes element 0's memory after element 0 was checked.
  { name: 'submitForward', args: [getterList(f32(4096), 'transfer'), { k: 'ref', arg: 0 }, alpha, count] },
  { name: 'submitForward', args: [getterList(f32(300000), 'drop'), { k: 'ref', arg: 0 }, alpha, count] },
  { name: 'submitForward', args: [getterList(f32(4096, 'rab'), 'shrink'), { k: 'ref', arg: 0 }, alpha, count] },
  { name: 'submitForward', args: [getterList(f32(4096), 'transfer', 'proto'), { k: 'ref', arg: 0 }, alpha, count] },
  // ...or an output already checked (victim 2 is outs[0]: xs's two arrays come first).
  { name: 'submitForward', args: [{ k: 'list', items: [f32(4096), f32(56)] }, getterList(f32(4096), 'transfer', 'own', 2), alpha, count] },
  { name: 'submitBackward', args: [{ k: 'list', items: [f32(4096), f32(56)] }, getterList(f32(4096), 'transfer'), { k: 'ref', arg: 0 }, alpha, count] },
  { name: 'submitBackward', args: [getterList(f32(4096, 'rab'), 'shrink'), { k: 'list', items: [f32(4096), f32(56)] }, { k: 'ref', arg: 0 }, alpha, count] },
  { name: 'submitForward', args: [{ k: 'list', items: [f32(64), f32(64)], proxy: 'action' }, { k: 'ref', arg: 0 }, alpha, count] },
  { name: 'submitForward', args: [{ k: 'list', items: [f32(64), f32(64)], proxy: 'lyingLength' }, { k: 'ref', arg: 0 }, alpha, count] },
  { name: 'submitForward', args: [{ k: 'list', items: [f32(64), f32(64)], getter: { at: 1, via: 'own', act: { do: 'truncate', v: 0 } } }, { k: 'ref', arg: 0 }, alpha, count] },
  { name: 'submitForward', args: [{ k: 'list', items: [f32(64), f32(64)], getter: { at: 1, via: 'own', act: { do: 'throw', v: 0 } } }, { k: 'ref', arg: 0 }, alpha, count] },
  { name: 'submitForward', args: [{ k: 'repeat', item: f32(64), n: 100000 }, { k: 'ref', arg: 0 }, alpha, count] },
  { name: 'forward', args: [f32(64, 'liar'), alpha] },
  { name: 'forward', args: [f32(64, 'subArgs'), alpha, f32(64, 'liar')] },
  { name: 'forward', args: [{ k: 'proxyTA', trap: true }, alpha] },
  { name: 'forward', args: [{ k: 'spoof', v: 1 }, alpha] },
  { name: 'forward', args: [f32(64, 'rabOob'), alpha] },
  { name: 'submitForward', args: [{ k: 'list', items: [f32(64, 'realm'), f32(64, 'gsab')] }, { k: 'ref', arg: 0 }, alpha, { k: 'fn', v: 'reenter' }] },
  { name: 'cancel', args: [{ k: 'num', i: 0 }] },
  { name: 'configure', args: [{ k: 'sym' }] },
  // 16-bit data: Uint16Array bits with a half argument (per task in a submit's halves list).
  { name: 'forward', args: [{ k: 'typed', v: 'Uint16Array' }, alpha, { k: 'undefined' }, { k: 'str', i: 10 }] },
  { name: 'backward', args: [{ k: 'typed', v: 'Uint16Array' }, { k: 'typed', v: 'Uint16Array' }, alpha, { k: 'undefined' }, { k: 'str', i: 11 }] },
  { name: 'forward', args: [{ k: 'typed', v: 'Uint16Array' }, alpha, { k: 'undefined' }, { k: 'str', i: 12 }] },
  { name: 'submitForward', args: [{ k: 'list', items: [{ k: 'typed', v: 'Uint16Array' }, f32(64)] }, { k: 'ref', arg: 0 }, alpha, count, { k: 'list', items: [{ k: 'str', i: 11 }, { k: 'undefined' }] }] },
  { name: 'submitForward', args: [{ k: 'list', items: [{ k: 'typed', v: 'Uint16Array' }] }, { k: 'ref', arg: 0 }, alpha, count, { k: 'huge', n: 2 ** 32 - 1 }] },
  { name: 'submitForward', args: [{ k: 'list', items: [{ k: 'typed', v: 'Uint16Array' }] }, { k: 'ref', arg: 0 }, alpha, count, { k: 'list', items: [{ k: 'str', i: 10 }], getter: { at: 0, via: 'own', act: { do: 'throw', v: 0 } } }] },
  // Per-channel slopes: detached, empty, NaN, too large for the type; alphaGrad over
  // the data, of another length, detached, taken by a getter, lists of 2^32 - 1 holes.
  { name: 'forwardSlopes', args: [f32(56), { k: 'slopes', t: 'f32', n: 2, v: 'detached' }, { k: 'int', v: 7 }] },
  { name: 'forwardSlopes', args: [f32(56), { k: 'slopes', t: 'f64', n: 0, v: 'ok' }] },
  { name: 'forwardSlopes', args: [{ k: 'typed', v: 'Uint16Array' }, { k: 'slopes', t: 'f32', n: 1, v: 'big' }, { k: 'int', v: 1 }, { k: 'undefined' }, { k: 'str', i: 10 }] },
  { name: 'forwardSlopes', args: [f32(4096), { k: 'slopes', t: 'f64', n: 8, v: 'ok' }, { k: 'num', i: 12 }] },
  { name: 'backwardSlopes', args: [f32(4096), { k: 'twin', of: 0 }, { k: 'slopes', t: 'f64', n: 8, v: 'ok' }, { k: 'int', v: 8 }, { k: 'undefined' }, { k: 'undefined' }, { k: 'gradOver', of: 0, slopes: 2 }] },
  { name: 'backwardSlopes', args: [f32(4096), { k: 'twin', of: 0 }, { k: 'slopes', t: 'f32', n: 8, v: 'nan' }, { k: 'int', v: 8 }, { k: 'undefined' }, { k: 'undefined' }, { k: 'grad', n: 8, form: 'detached' }] },
  { name: 'backwardSlopes', args: [f32(56), { k: 'twin', of: 0 }, { k: 'slopes', t: 'f32', n: 7, v: 'ok' }, { k: 'int', v: 8 }, { k: 'undefined' }, { k: 'undefined' }, { k: 'gradFor', of: 2, form: 'fresh' }] },
  { name: 'submitBackward', args: [{ k: 'list', items: [f32(4096), f32(56)] }, { k: 'twinItems', list: 0 }, { k: 'ref', arg: 0 }, { k: 'slopes', t: 'f64', n: 8, v: 'ok' }, count, { k: 'undefined' }, { k: 'int', v: 1 }, { k: 'list', items: [{ k: 'gradFor', of: 3, form: 'fresh' }, { k: 'gradFor', of: 3, form: 'fresh' }], getter: { at: 1, via: 'own', act: { do: 'transferItem0', v: 0 } } }] },
  { name: 'submitBackward', args: [{ k: 'list', items: [f32(4096)] }, { k: 'twinItems', list: 0 }, { k: 'ref', arg: 0 }, { k: 'slopes', t: 'f32', n: 2, v: 'ok' }, count, { k: 'undefined' }, { k: 'int', v: 2 }, { k: 'huge', n: 2 ** 32 - 1 }] },
  { name: 'submitBackward', args: [{ k: 'list', items: [f32(4096), f32(56)] }, { k: 'twinItems', list: 0 }, { k: 'ref', arg: 0 }, { k: 'slopes', t: 'f32', n: 2, v: 'ok' }, count, { k: 'undefined' }, { k: 'int', v: 2 }, { k: 'list', items: [{ k: 'gradFor', of: 3, form: 'fresh' }, { k: 'gradFor', of: 3, form: 'fresh' }], getter: { at: 1, via: 'own', act: { do: 'throw', v: 0 } } }] },
  { name: 'submitForward', args: [{ k: 'list', items: [f32(4096), f32(56)] }, { k: 'ref', arg: 0 }, { k: 'slopes', t: 'f64', n: 2, v: 'ok' }, count, { k: 'undefined' }, { k: 'num', i: 12 }] },
  { name: 'submitForward', args: [getterList(f32(4096), 'transfer'), { k: 'ref', arg: 0 }, { k: 'slopes', t: 'f32', n: 8, v: 'ok' }, count, { k: 'undefined' }, { k: 'int', v: 7 }] },
  // Callbacks that throw: the exception must not escape the binding.
  { name: 'submitForward', args: [{ k: 'list', items: [f32(56)] }, { k: 'ref', arg: 0 }, alpha, { k: 'fn', v: 'throw' }] },
  { name: 'submitForward', args: [{ k: 'list', items: [f32(56)] }, { k: 'ref', arg: 0 }, alpha, { k: 'fn', v: 'class' }] },
];

// ---- Calling

const lastIds = [];
function newCtx() {
  return { args: [], lists: [], victims: [], callbacks: [], canaries: [], shrunk: [] };
}
const allCanaries = [];
const allShrunk = [];

// Calls binding[name](...args) and checks how it ended.
function attempt(name, args, ctx = newCtx()) {
  calls++;
  const tally = (byFunction[name] = byFunction[name] || { calls: 0, returned: 0 });
  tally.calls++;
  ctx.callbacks.forEach(({ record }) => (record.call = current));
  let result;
  try {
    result = binding[name](...args);
  } catch (error) {
    if (error instanceof HostileError) {
      thrownCodes['(user error, as is)'] = (thrownCodes['(user error, as is)'] || 0) + 1;
    } else if (error instanceof Error && typeof error.code === 'string') {
      thrownCodes[error.code] = (thrownCodes[error.code] || 0) + 1;
    } else {
      const shown = error instanceof Error ? `${error.constructor.name}: ${error.message}` : typeof error === 'symbol' ? 'a symbol' : String(error);
      violation(`threw without a string code: ${shown}`);
    }
    for (const { record } of ctx.callbacks) record.returned = true;
    return;
  }
  for (const { record } of ctx.callbacks) record.returned = true;
  tally.returned++;
  if (name !== 'submitForward' && name !== 'submitBackward') return;
  accepted++;
  if (typeof result !== 'number') violation(`an accepted submit returned ${typeof result}, not a job id`);
  lastIds.push(result);
  if (lastIds.length > 8) lastIds.shift();
  const cb = args[name === 'submitForward' ? 3 : 4];
  const tracked = ctx.callbacks.find((c) => c.fn === cb);
  if (tracked) {
    tracked.record.accepted = true;
    tracked.record.id = result;
  } else {
    uncounted++;
  }
}

function runCase(id, call) {
  current = `${id} ${call.name}(${call.args.map(describe).join(', ')})`;
  if (ONLY && !ONLY.has(id)) return false;
  if (AVOID.some((token) => current.includes(token))) return false;
  if (typeof binding[call.name] !== 'function') return false;
  say(`#${current}`);
  const ctx = newCtx();
  for (const spec of call.args) ctx.args.push(build(spec, ctx));
  attempt(call.name, ctx.args, ctx);
  allCanaries.push(...ctx.canaries);
  allShrunk.push(...ctx.shrunk);
  return true;
}

const pause = (kind) =>
  kind === 'timeout' ? new Promise((r) => setTimeout(r, 1)) : kind === 'immediate' ? new Promise((r) => setImmediate(r)) : null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function sameBits(got, want) {
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(got[i]) && Number.isNaN(want[i])) continue;
    if (!Object.is(got[i], want[i])) return `index ${i}: ${got[i]}, want ${want[i]}`;
  }
  return null;
}

async function main() {
  const started = Date.now();
  say(`# fuzzing the raw binding, seed ${SEED}, ${FIXED.length} fixed cases then ${RUNS} random ones`);
  let ran = 0;
  for (let i = 0; i < FIXED.length; i++) {
    if (runCase(`f${i}`, FIXED[i])) ran++;
    await pause('immediate');
  }
  const drawn = fc.sample(callArb, { seed: SEED, numRuns: RUNS });
  for (let i = 0; i < drawn.length; i++) {
    if (runCase(`r${i}`, drawn[i])) ran++;
    const p = pause(drawn[i].pause);
    if (p) await p;
  }
  current = 'after all calls';
  const randomMs = Date.now() - started;

  // Every accepted submit calls back, once; a rejected one never.
  const deadline = Date.now() + HANG_MS;
  while (callbacks.some((r) => r.accepted && r.calls === 0) && Date.now() < deadline) await sleep(10);
  await sleep(50);
  const hung = callbacks.filter((r) => r.accepted && r.calls === 0).map((r) => r.call);
  for (const r of callbacks) {
    if (r.calls > 1) violations.push(`${r.call}: callback called ${r.calls} times`);
    if (!r.accepted && r.calls > 0) violations.push(`${r.call}: called a function that was not the callback of an accepted submit`);
  }
  // Memory taken away during a call must not have been written by its job.
  for (const c of allCanaries) {
    if (new Uint8Array(c.clone).some((b, i) => b !== c.bytes[i])) {
      violations.push(`${c.call}: the job wrote into memory transferred away during the call (a use-after-free once its new owner frees it)`);
    }
  }
  // V8 zeroes the tail of a shrunk buffer; grown back, any non-zero byte is a write past the end.
  for (const s of allShrunk) {
    try {
      s.buffer.resize(s.before);
      if (new Uint8Array(s.buffer).some((b) => b !== 0)) violations.push(`${s.call}: the job wrote past the end of a buffer shrunk during the call`);
    } catch {
      // Resized since by someone else: nothing to check.
    }
  }

  // The binding still works, with the right bits.
  binding.configure(process.env.LEAKY_RELU_ISA || undefined);
  let finalCheck = 'ok';
  for (const C of [Float32Array, Float64Array]) {
    const x = fillPattern(new C(300));
    x[1] = -0; x[2] = NaN; x[4] = -Infinity; x[5] = C === Float32Array ? -1e-45 : -5e-324;
    const round = C === Float32Array ? Math.fround : (v) => v;
    const want = C.from(x, (v) => (v > 0 ? v : round(round(0.5) * v)));
    try {
      binding.forward(x, 0.5);
      const wrong = sameBits(x, want);
      if (wrong) finalCheck = `${C.name} forward after the fuzz: ${wrong}`;
    } catch (error) {
      finalCheck = `${C.name} forward after the fuzz threw ${error && error.code} ${error}`;
    }
  }
  // And the slope kernels: forwardSlopes, backwardSlopes with its gradient.
  try {
    const { referenceSlopesForward, referenceSlopeGrad } = require('./slopes-reference.cjs');
    const x = fillPattern(new Float32Array(3 * 4 * 25));
    const dy = fillPattern(new Float32Array(x.length)).map((v) => -v);
    const slopes = Float64Array.of(0.5, -1, 2);
    const y = x.slice();
    binding.forwardSlopes(y, slopes, 4);
    const wrong = sameBits(y, referenceSlopesForward(x, slopes, 4));
    const g = new Float64Array(3).fill(NaN);
    binding.backwardSlopes(dy.slice(), x, slopes, 4, undefined, undefined, g);
    const wrongGrad = sameBits(g, referenceSlopeGrad(dy, x, 3, 4));
    if (wrong) finalCheck = `forwardSlopes after the fuzz: ${wrong}`;
    else if (wrongGrad) finalCheck = `backwardSlopes' alphaGrad after the fuzz: ${wrongGrad}`;
  } catch (error) {
    finalCheck = `slopes after the fuzz threw ${error && error.code} ${error}`;
  }
  if (finalCheck !== 'ok') violations.push(finalCheck);

  // Nothing stays registered once every job has finished.
  let stats = 'absent (binding has no stats(); not checked)';
  if (typeof binding.stats === 'function') {
    const until = Date.now() + 5000;
    let s = binding.stats();
    while ((s.jobs !== 0 || s.ranges !== 0) && Date.now() < until) {
      await sleep(20);
      s = binding.stats();
    }
    stats = s;
    if (s.jobs !== 0 || s.ranges !== 0) violations.push(`stats() after every job finished: ${JSON.stringify(s)}`);
  }

  const record = {
    fuzz: 'raw binding',
    seed: SEED,
    fixed: FIXED.length,
    random: RUNS,
    ran,
    calls,
    accepted,
    uncounted,
    callbacks: callbacks.filter((r) => r.accepted).length,
    byFunction,
    thrown: thrownCodes,
    violationCount: violations.length,
    violations: [...new Set(violations)].slice(0, 60),
    hung: hung.slice(0, 60),
    hungCount: hung.length,
    finalCheck,
    stats,
    callsMs: randomMs,
    totalMs: Date.now() - started,
  };
  say(JSON.stringify(record));
}

main().catch((error) => {
  // A bug of this script, not of the binding: fail loudly all the same.
  process.exitCode = 1;
  say(JSON.stringify({ fuzz: 'raw binding', seed: SEED, scriptError: String(error && error.stack) }));
});
