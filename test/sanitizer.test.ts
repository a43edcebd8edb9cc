// The sanitizer run (scripts/test-asan.js) must really test the ASan+UBSan build: a
// run that silently loaded the ordinary binary would prove nothing.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { info, leakyRelu } from '../lib/index';
import { project } from './helpers/project';

test.runIf(project.sanitized && process.platform === 'linux')(
  'the sanitizer run loads the ASan build, with the ASan runtime',
  () => {
    leakyRelu(new Float32Array(64));
    expect(info().backend).toBe('native');
    const maps = readFileSync('/proc/self/maps', 'utf8');
    expect(maps).toContain(path.resolve(project.nativePath ?? 'unset'));
    expect(maps).toMatch(/libasan\.so/);
  },
);
