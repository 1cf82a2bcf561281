// Runs one suite for one in-process implementation and prints its figures as result lines. bench/run.ts starts
// one worker per (suite, implementation) so that every measurement gets a fresh heap and event loop:
//   node --expose-gc --import tsx bench/worker.ts <suite> <governess|xstate>
import { RESULT_PREFIX, type BenchResult, type Impl, type Suite } from './common.js';
import { suites } from './suites/index.js';

async function main(): Promise<void> {
  const [id, impl] = process.argv.slice(2) as [string | undefined, Impl | undefined];
  const suite: Suite | undefined = suites.find((s) => s.id === id);
  if (suite === undefined || (impl !== 'governess' && impl !== 'xstate')) {
    throw new Error(`usage: worker.ts <${suites.map((s) => s.id).join('|')}> <governess|xstate>`);
  }
  const fn = impl === 'governess' ? suite.governess : suite.xstate;
  if (fn === undefined) throw new Error(`suite ${suite.id} has no ${impl} workload`);
  const figures = await fn.call(suite);
  for (const m of suite.metrics) {
    const value = figures[m.name];
    if (value === undefined) continue;
    const r: BenchResult = { suite: suite.id, name: m.name, impl, value, unit: m.unit };
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(r)}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
