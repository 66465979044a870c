// Temporary: the clock lives in the shared kernel (src/kernel/clock.ts). This re-export stays only
// for test/integration/windows, which another branch is rewriting; delete it once that lands.
export { systemClock, fixedClock, type Clock } from '../kernel/clock.js';
