// Bootstrap of a verification worker thread (check-pool.ts), the same as the PostgreSQL writer thread's
// (store/pg-writer-thread.mjs): a worker does not inherit the loader the main thread runs TypeScript with (tsx's
// register() in bin/governess.mjs, vitest's transform), so unless the module was compiled to JavaScript beside
// this file, it registers tsx itself and then imports the TypeScript module. Plain JavaScript so that node loads
// it under any loader.
import { existsSync } from 'node:fs';

const compiled = new URL('./check-worker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./check-worker.ts');
}
