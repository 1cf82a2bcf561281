// Bootstrap of a verification worker thread (check-pool.ts). A worker does not inherit the loader the main thread
// runs TypeScript with (tsx's register() in bin/governess.mjs, vitest's transform), so it registers tsx itself and
// then imports the TypeScript worker module. Plain JavaScript so that node loads it under any loader.
import { register } from 'tsx/esm/api';

register();
await import('./check-worker.ts');
