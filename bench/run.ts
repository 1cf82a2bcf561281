// `npm run bench`: every suite for Governess, XState v5 (in-process anchors) and Erlang/OTP (bench/erlang), one
// fresh worker process per (suite, implementation). Prints one table and writes bench/results/latest.json.
//   npm run bench                      all suites, all implementations
//   npm run bench -- cast call         only these suites
//   npm run bench -- --only=governess  only these implementations (comma-separated)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_PREFIX, type BenchResult, type Impl, type MetricSpec, type Suite } from './common.js';
import { SERVICE_NODE_FLAGS } from '../src/service/node-flags.js';
import { suites } from './suites/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const WORKER_TIMEOUT_MS = 180_000;
const NODE_FLAGS = ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx'];
/** One scheduler thread (like our one event loop); room for the 1M-process memory suite. */
const ERL_FLAGS = ['+S', '1', '+P', '4000000', '-noshell'];

interface Outcome {
  readonly results: BenchResult[];
  readonly error: string | null;
}

function runChild(
  cmd: string,
  args: string[],
  parse: (line: string) => BenchResult | null,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), WORKER_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const results: BenchResult[] = [];
      for (const line of out.split('\n')) {
        const r = parse(line);
        if (r !== null) results.push(r);
      }
      const failed = code !== 0 || signal !== null || /^ERROR /m.test(out);
      const why = signal !== null ? `killed (${signal}) after ${WORKER_TIMEOUT_MS / 1000}s` : `exit ${code}`;
      const detail = (err.trim() || out.split('\n').find((l) => l.startsWith('ERROR ')) || '').split('\n')[0];
      resolve({ results, error: failed ? `${why}: ${detail}` : null });
    });
  });
}

function parseJsonLine(line: string): BenchResult | null {
  return line.startsWith(RESULT_PREFIX)
    ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as BenchResult)
    : null;
}

/** "RESULT <suite> <name> <value> <unit>" from gov_bench.erl. */
function parseErlLine(line: string): BenchResult | null {
  const m = /^RESULT (\S+) (\S+) (\S+) (\S+)$/.exec(line.trim());
  if (m === null) return null;
  return {
    suite: m[1] as string,
    name: m[2] as string,
    impl: 'otp',
    value: Number(m[3]),
    unit: m[4] as string,
  };
}

/** Compiles gov_bench.erl into a temporary directory; returns it, or why OTP cannot run. */
function prepareOtp(): { dir: string } | { missing: string } {
  for (const tool of ['erl', 'erlc']) {
    const probe = spawnSync(tool, tool === 'erl' ? ['-noshell', '-eval', 'halt().'] : ['-v'], {
      stdio: 'ignore',
    });
    if (probe.error !== undefined) return { missing: `${tool} not found (${probe.error.message})` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'gov-bench-'));
  const c = spawnSync('erlc', ['-o', dir, join(here, 'erlang', 'gov_bench.erl')], { encoding: 'utf8' });
  if (c.status !== 0) return { missing: `erlc failed: ${(c.stderr || c.stdout).trim()}` };
  return { dir };
}

function fmt(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  if (unit.endsWith('/s')) {
    return value >= 1e6 ? `${(value / 1e6).toFixed(2)}M` : `${(value / 1e3).toFixed(1)}k`;
  }
  if (Math.abs(value) >= 1000) return value.toFixed(0);
  if (Math.abs(value) >= 100) return value.toFixed(1);
  if (Math.abs(value) >= 10) return value.toFixed(2);
  return value.toFixed(3);
}

function targetText(m: MetricSpec): string {
  return m.target === undefined ? '' : `${m.target.op} ${fmt(m.target.value, m.unit)}`;
}

function verdict(m: MetricSpec, v: number | null | undefined): string {
  if (m.target === undefined) return '';
  if (v === null || v === undefined) return 'n/a';
  const t = m.target;
  const ok = t.op === '>=' ? v >= t.value : t.op === '<=' ? v <= t.value : v < t.value;
  return ok ? 'pass' : 'FAIL';
}

function printTable(all: readonly BenchResult[], chosen: readonly Suite[]): void {
  const header = ['suite', 'metric', 'unit', 'governess', 'xstate', 'otp', 'target', 'pass/fail'];
  const rows: string[][] = [];
  const find = (s: string, n: string, impl: Impl) =>
    all.find((r) => r.suite === s && r.name === n && r.impl === impl)?.value;
  for (const s of chosen) {
    for (const m of s.metrics) {
      const g = find(s.id, m.name, 'governess');
      rows.push([
        s.id,
        m.label,
        m.unit,
        fmt(g, m.unit),
        fmt(find(s.id, m.name, 'xstate'), m.unit),
        fmt(find(s.id, m.name, 'otp'), m.unit),
        targetText(m),
        verdict(m, g),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const wanted = args.filter((a) => !a.startsWith('--'));
  const chosen = wanted.length === 0 ? suites : suites.filter((s) => wanted.includes(s.id));
  const impls = (['governess', 'xstate', 'otp'] as const).filter(
    (i) => only === undefined || only.includes(i),
  );
  const started = performance.now();
  const load0 = loadavg();
  console.log(
    `Governess benchmarks: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ` +
      `load average ${load0.map((x) => x.toFixed(2)).join(' ')}`,
  );
  const results: BenchResult[] = [];
  const notes: string[] = [];
  const otp = impls.includes('otp') ? prepareOtp() : { missing: 'not selected' };
  if ('missing' in otp && impls.includes('otp')) notes.push(`OTP figures n/a: ${otp.missing}`);
  try {
    for (const s of chosen) {
      for (const impl of impls) {
        const t0 = performance.now();
        let outcome: Outcome;
        if (impl === 'otp') {
          if (!('dir' in otp)) continue;
          if (s.otpMissing !== undefined) {
            notes.push(`${s.id}: otp n/a (${s.otpMissing})`);
            continue;
          }
          outcome = await runChild(
            'erl',
            [...ERL_FLAGS, '-pa', otp.dir, '-s', 'gov_bench', 'main', s.id],
            parseErlLine,
          );
        } else if (impl === 'xstate' && s.xstate === undefined) {
          if (s.xstateMissing !== undefined) notes.push(`${s.id}: xstate n/a (${s.xstateMissing})`);
          continue;
        } else {
          outcome = await runChild(
            process.execPath,
            [
              ...NODE_FLAGS,
              ...(s.serviceProcess === true && impl === 'governess' ? SERVICE_NODE_FLAGS : []),
              join(here, 'worker.ts'),
              s.id,
              impl,
            ],
            parseJsonLine,
          );
        }
        results.push(...outcome.results);
        if (outcome.error !== null) notes.push(`${s.id}/${impl} failed: ${outcome.error}`);
        console.error(`  ${s.id} / ${impl}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
    }
  } finally {
    if ('dir' in otp) rmSync(otp.dir, { recursive: true, force: true });
  }
  const load1 = loadavg();
  console.log(`\n${chosen.map((s) => `- ${s.id}: ${s.title}`).join('\n')}\n`);
  printTable(results, chosen);
  for (const n of notes) console.log(`note: ${n}`);
  console.log(
    `took ${((performance.now() - started) / 1000).toFixed(0)} s; load average at end ` +
      `${load1.map((x) => x.toFixed(2)).join(' ')} (figures taken under load are indicative only)`,
  );
  const out = join(here, 'results');
  mkdirSync(out, { recursive: true });
  const json = results.map(({ suite, name, impl, value, unit }) => ({ suite, name, impl, value, unit }));
  writeFileSync(join(out, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote ${join('bench', 'results', 'latest.json')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
