// Supervisors (OTP `supervisor`): public API.
export { startSupervisor } from './start.js';
export {
  startChild,
  terminateChild,
  restartChild,
  deleteChild,
  whichChildren,
  countChildren,
  getChildspec,
  statemChild,
  statemChildWith,
  supervisorChild,
} from './api.js';
export { checkChildSpecs } from './spec.js';
export { Supervisor } from './supervisor.js';
export type * from './types.js';
