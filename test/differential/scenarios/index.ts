// Every written differential scenario.
import type { Scenario } from '../scenario.js';
import { enterScenarios } from './enter.js';
import { postponeScenarios } from './postpone.js';
import { replyScenarios } from './replies.js';
import { timeoutScenarios } from './timeouts.js';

export const writtenScenarios: Scenario[] = [
  ...postponeScenarios,
  ...timeoutScenarios,
  ...enterScenarios,
  ...replyScenarios,
];
