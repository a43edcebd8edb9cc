// Fuzzes the raw native binding (every function, hostile argument lists drawn with a
// fixed seed, after a fixed list of calls that once crashed it) in a child process, so
// that a crash is a failed test naming the call that killed it: the contract says
// nothing a caller passes can crash the process or escape as an uncaught exception,
// through the raw binding too. The child is test/tools/fuzz-binding-child.cjs; it
// loads the binding as the other raw tests do (LEAKY_RELU_NATIVE_PATH in the
// sanitizer run, whose environment it inherits, LD_PRELOAD included).
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { runScript } from './helpers/child';
import type { ChildResult } from './helpers/child';
import { project } from './helpers/project';

const CHILD = path.join(__dirname, 'tools', 'fuzz-binding-child.cjs');

interface FuzzRecord {
  fuzz: string;
  seed: number;
  violations: string[];
  violationCount: number;
  hung: string[];
  hungCount: number;
  scriptError?: string;
}

/** How the child ended: the calls it made last (the killer is among them) and the head of stderr (an ASan report starts there). */
function explain(r: ChildResult): string {
  const header = r.stdout.split('\n').find((l) => l.startsWith('# '));
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('#') && !l.startsWith('# '));
  const last = lines.slice(-12).map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l));
  const asan = r.stderr.indexOf('ERROR: AddressSanitizer');
  const stderr = asan >= 0 ? r.stderr.slice(Math.max(0, asan - 200), asan + 3000) : r.stderr.slice(0, 3000);
  return [
    `child: exit code ${r.code}, signal ${r.signal}`,
    header ?? '(no output)',
    `last calls (reproduce one with FUZZ_ONLY=<case id>):`,
    ...last,
    'stderr:',
    stderr,
  ].join('\n');
}

test.runIf(project.native)(
  'the raw binding survives a fuzz of hostile argument lists, throws only coded errors and calls back every accepted job once',
  async () => {
    const result = await runScript(`require(${JSON.stringify(CHILD)})`, {}, 60_000);
    const record = result.records.find((r) => r.fuzz === 'raw binding') as FuzzRecord | undefined;
    // The seed and the counts, for the log.
    if (record) console.log(JSON.stringify(record));
    expect(result.signal, explain(result)).toBeNull();
    expect(result.code, explain(result)).toBe(0);
    expect(record, explain(result)).toBeDefined();
    expect(record!.scriptError, 'the fuzz script itself failed').toBeUndefined();
    expect(record!.violations, `seed ${record!.seed}: ${record!.violationCount} violations`).toEqual([]);
    expect(record!.hung, `seed ${record!.seed}: ${record!.hungCount} accepted jobs never called back`).toEqual([]);
  },
  90_000,
);
