// Time: the Clock interface, the production RealClock and the test SimulatedClock, over one timer queue.
export type { Clock, TimerHandle, TimerTarget } from './clock.js';
export { RealClock, type IdleCollectOptions, type RealClockOptions } from './real-clock.js';
export { SimulatedClock, type SimulatedClockOptions, type Settleable } from './simulated-clock.js';
export { TimerQueue, Timer, TimerEntry } from './timer-queue.js';
