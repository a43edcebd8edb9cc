// Views placed inside a larger buffer whose other elements are sentinels, to catch a
// kernel that writes outside the view (tails, misaligned heads). The builder and the
// damage check are in test/tools/kernel-reference.cjs, shared with the kernel-check script.
export type { FloatCtor } from './arrays';
export type { Guarded } from '../tools/kernel-reference.cjs';
export { GUARD, SENTINEL, guardDamage, guardedInLine, guardedView } from '../tools/kernel-reference.cjs';
