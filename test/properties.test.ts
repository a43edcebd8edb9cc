// Property tests against the reference, the ISA each project must run on, and every
// kernel set this CPU has, called through the raw binding.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { info, leakyRelu, leakyReluBackward } from '../lib/index';
import { dtypes } from './helpers/arrays';
import { expectedIsa, loadRawBinding, packageRoot } from './helpers/binding';
import type { Binding, Isa } from './helpers/binding';
import { expectSameBits, firstBitDifference } from './helpers/bits';
import { project } from './helpers/project';
import { mixedData } from './helpers/random';
import { referenceBackward, referenceForward } from './helpers/reference';
import type { FloatArray } from './helpers/reference';

const RUNS = { numRuns: 200 };
const MAX_LENGTH = 300;

// Any finite alpha: whole-range doubles (mostly huge or tiny), plus the everyday ones.
const anyFiniteAlpha = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -4, max: 4, noNaN: true }),
  fc.constantFrom(0, -0, 0.2, 0.01, 1, -1, 3),
);
// For float32 data, alpha must stay finite once rounded to float32.
const float32Alpha = fc.oneof(
  anyFiniteAlpha.filter((a) => Number.isFinite(Math.fround(a))),
  fc.float({ noNaN: true, noDefaultInfinity: true }),
);

// Lengths up to 300 reach both the JS kernels (short) and the native ones with every tail.
const f32Data = fc.float32Array({ maxLength: MAX_LENGTH, size: 'max', noDefaultInfinity: false, noNaN: false });
const f64Data = fc.float64Array({ maxLength: MAX_LENGTH, size: 'max', noDefaultInfinity: false, noNaN: false });
const f32Pairs = fc
  .array(fc.tuple(fc.float(), fc.float()), { maxLength: MAX_LENGTH, size: 'max' })
  .map((pairs) => [Float32Array.from(pairs, (p) => p[0]), Float32Array.from(pairs, (p) => p[1])] as const);
const f64Pairs = fc
  .array(fc.tuple(fc.double(), fc.double()), { maxLength: MAX_LENGTH, size: 'max' })
  .map((pairs) => [Float64Array.from(pairs, (p) => p[0]), Float64Array.from(pairs, (p) => p[1])] as const);

/** fast-check wants a boolean or a throw; the throw carries the first differing element. */
function sameBits(actual: FloatArray, expected: FloatArray): true {
  expectSameBits(actual, expected);
  return true;
}

// What fast-check draws per element type: data, (dy, x) pairs, and alphas.
const drawn = {
  float32: { data: f32Data, pairs: f32Pairs, alpha: float32Alpha },
  float64: { data: f64Data, pairs: f64Pairs, alpha: anyFiniteAlpha },
} as unknown as Record<(typeof dtypes)[number]['name'], {
  data: fc.Arbitrary<FloatArray>;
  pairs: fc.Arbitrary<readonly [FloatArray, FloatArray]>;
  alpha: fc.Arbitrary<number>;
}>;

// Rows [name, dtype]: '%s' titles the name bare, as '$name' would not.
const rows = dtypes.map((d) => [d.name, d] as const);

describe('forward and backward equal the reference, bit for bit', () => {
  test.each(rows)('%s forward, in place and into out', (name, { Ctor }) => {
    fc.assert(
      fc.property(drawn[name].data, drawn[name].alpha, (x, alpha) => {
        const expected = referenceForward(x, alpha);
        const out = new Ctor(x.length);
        sameBits(leakyRelu(x.slice(), { alpha, out }), expected);
        return sameBits(leakyRelu(x.slice(), alpha), expected);
      }),
      RUNS,
    );
  });

  test.each(rows)('%s backward, into dy and into out', (name, { Ctor }) => {
    fc.assert(
      fc.property(drawn[name].pairs, drawn[name].alpha, ([dy, x], alpha) => {
        const expected = referenceBackward(dy, x, alpha);
        sameBits(leakyReluBackward(dy.slice(), x, { alpha, out: new Ctor(x.length) }), expected);
        return sameBits(leakyReluBackward(dy.slice(), x, alpha), expected);
      }),
      RUNS,
    );
  });
});

const cap = project.isa;
const binding: Binding | null = project.native ? loadRawBinding() : null;

describe('the backend and kernel set in use', () => {
  test.runIf(project.native)(`LEAKY_RELU_ISA=${cap}: the best kernel set at or below the cap that the CPU has`, () => {
    const best = (binding as Binding).bestIsa();
    expect(info()).toMatchObject({ backend: 'native', isa: expectedIsa(cap, best) });
  });

  test.runIf(!project.native)('LEAKY_RELU_BACKEND=js: the pure-JS backend', () => {
    const { version } = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    const { backend, isa, version: reported } = info();
    expect({ backend, isa, version: reported }).toEqual({ backend: 'js', isa: 'js', version });
  });

  test('info().version is package.json\'s', () => {
    const { version } = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    expect(info().version).toBe(version);
  });
});

describe.runIf(project.native)('every kernel set this CPU has, through the raw binding', () => {
  const candidates: Isa[] = ['scalar', 'avx2', 'avx512', 'neon'];
  const ALPHAS = [0.2, -0.75, 3, 0, 2 ** -140];

  test('each set the CPU has equals the reference on lengths 0..300, both element types', () => {
    const raw = binding as Binding;
    const available: Isa[] = [];
    const failures: string[] = [];
    try {
      for (const isa of candidates) {
        if (raw.configure(isa) !== isa) continue;
        available.push(isa);
        for (const { Ctor } of dtypes) {
          for (let n = 0; n <= MAX_LENGTH; n++) {
            const alpha = ALPHAS[n % ALPHAS.length];
            const x = mixedData<FloatArray>(Ctor, n, 30_000 + n);
            const dy = mixedData<FloatArray>(Ctor, n, 40_000 + n);
            const label = `${isa} ${Ctor.name} length ${n} alpha ${alpha}`;
            const y = x.slice();
            raw.forward(y, alpha);
            const yOut = new Ctor(n);
            raw.forward(x, alpha, yOut);
            const dx = dy.slice();
            raw.backward(dx, x, alpha);
            const dxOut = new Ctor(n);
            raw.backward(dy, x, alpha, dxOut);
            const expectedY = referenceForward(x, alpha);
            const expectedDx = referenceBackward(dy, x, alpha);
            for (const [what, actual, expected] of [
              ['forward in place', y, expectedY],
              ['forward into out', yOut, expectedY],
              ['backward into dy', dx, expectedDx],
              ['backward into out', dxOut, expectedDx],
            ] as const) {
              const difference = firstBitDifference(actual, expected);
              if (difference !== null) failures.push(`${label}, ${what}: ${difference}`);
            }
          }
        }
      }
    } finally {
      raw.configure(cap);
    }
    expect(available).toContain('scalar');
    expect(available).toContain(raw.bestIsa());
    expect(failures.slice(0, 5)).toEqual([]);
    // The facade's kernels are back to this project's.
    expect(raw.configure(cap)).toBe(info().isa);
  });
});
