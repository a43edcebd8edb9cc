// The contract's formulas, for the tests to compare against. They live in
// test/tools/kernel-reference.cjs, shared with the kernel-check script, so that there is
// one reference and not two that could drift apart.
export type { FloatArray } from '../tools/kernel-reference.cjs';
export { referenceBackward, referenceForward } from '../tools/kernel-reference.cjs';
