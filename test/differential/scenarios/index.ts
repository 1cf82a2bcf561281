// Every written differential scenario.
import type { Scenario } from '../scenario.js';
import { postponeScenarios } from './postpone.js';

export const writtenScenarios: Scenario[] = [...postponeScenarios];
