// `npm start`: the main job on the embedded defaults. Until the service exists (a later issue), that is the
// seed's minimal 3-signal governor scenario, printing each transition.
import { runMinimalScenario } from './governors/minimal/index.js';

process.exitCode = await runMinimalScenario();
