// The gen_statem layer: machine types, result and action constructors, the pure step, and the engine.
export * from './types.js';
export * from './actions.js';
export * from './results.js';
export {
  defineMachine,
  validateDefinition,
  step,
  callEvent,
  RecordingFrom,
  type StepResult,
} from './define.js';
export { StatemCrash, type Transition } from './transition.js';
export { valueEquals, stateEquality } from './equality.js';
export {
  StatemProcess,
  PASSIVATED,
  type StepRecord,
  type StepPending,
  type CommitHook,
  type StatemStatistics,
} from './engine.js';
export { validateSnapshot, type MachineSnapshot, type SnapshotTimer } from './snapshot.js';
