// The ES module entry, copied to dist/index.mjs: the CommonJS build re-exported by name.
// createRequire, not `import cjs from './index.js'`: how an ES module import of a .js
// file is read (CommonJS or ESM) differs between runtimes (Deno took it for ESM when
// imported by path, outside node_modules); require() means CommonJS everywhere, and
// package.json says "type": "commonjs" besides.
import { createRequire } from 'node:module';

const cjs = createRequire(import.meta.url)('./index.js');

export const { leakyRelu, leakyReluAsync, leakyReluBatch, leakyReluBackward, leakyReluBackwardAsync, info } =
  cjs;
export default cjs;
