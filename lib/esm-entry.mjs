// The ES module entry, copied to dist/index.mjs: the CommonJS build re-exported by name.
import cjs from './index.js';

export const { leakyRelu, leakyReluAsync, leakyReluBatch, leakyReluBackward, leakyReluBackwardAsync, info } =
  cjs;
export default cjs;
