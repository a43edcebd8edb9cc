// The ES module entry: the CommonJS build, re-exported by name.
import cjs from './index.js';

export const { leakyRelu, leakyReluAsync, leakyReluBatch, leakyReluBackward, info } = cjs;
export default cjs;
