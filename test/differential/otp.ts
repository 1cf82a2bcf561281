// The OTP side of the differential test: compiles gov_diff.erl into a temp dir, writes the scenarios as Erlang
// terms, runs them all concurrently in one VM and parses the traces back.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UNIT_MS, toErlang, type Scenario } from './scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(here, 'erlang', 'gov_diff.erl');

function run(
  cmd: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}\n${stdout}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** Why OTP cannot be used here, or null when `erl` and `erlc` both run. */
export async function otpUnavailable(): Promise<string | null> {
  try {
    await run('erl', ['-noshell', '-eval', 'halt().'], 30_000);
  } catch (err) {
    return `erl is not runnable: ${err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)}`;
  }
  // erlc has no version flag that exits 0; only a missing executable (ENOENT) counts as unavailable.
  const missing = await new Promise<boolean>((resolve) => {
    execFile('erlc', ['-help'], { timeout: 30_000 }, (err) => {
      resolve((err as NodeJS.ErrnoException | null)?.code === 'ENOENT');
    });
  });
  return missing ? 'erlc is not on PATH' : null;
}

/** The result of one OTP batch: trace lines per scenario name, and the VM's own wall time for the batch. */
export interface OtpBatch {
  readonly traces: Map<string, string[]>;
  readonly wallMs: number;
}

/** Runs the scenarios in one Erlang VM, one process per scenario. */
export async function runOtp(scenarios: readonly Scenario[]): Promise<OtpBatch> {
  const dir = await mkdtemp(join(tmpdir(), 'gov-diff-'));
  try {
    await run('erlc', ['-o', dir, SOURCE], 60_000);
    const input = join(dir, 'scenarios.terms');
    const output = join(dir, 'out.txt');
    const terms = scenarios
      .map((s) => `${toErlang({ name: s.name, program: s.program, script: s.script })}.\n`)
      .join('');
    await writeFile(input, terms);
    const call = `gov_diff:main(${JSON.stringify(input)}, ${JSON.stringify(output)}, ${UNIT_MS})`;
    await run('erl', ['-noshell', '-pa', dir, '-eval', call, '-s', 'init', 'stop'], 120_000);
    const text = await readFile(output, 'utf8');
    const traces = new Map<string, string[]>();
    let wallMs = -1;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      if (line.startsWith('#wall ')) {
        wallMs = Number(line.slice(6));
        continue;
      }
      const tab = line.indexOf('\t');
      const name = line.slice(0, tab);
      let list = traces.get(name);
      if (list === undefined) traces.set(name, (list = []));
      list.push(line.slice(tab + 1));
    }
    return { traces, wallMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Both traces side by side from the first difference (with a little context before it). */
export function sideBySide(ours: readonly string[], otp: readonly string[]): string {
  let first = 0;
  while (first < ours.length && first < otp.length && ours[first] === otp[first]) first++;
  const from = Math.max(0, first - 3);
  const width = Math.max(20, ...ours.slice(from).map((l) => l.length));
  const rows = [`first difference at line ${first + 1}`, `${'governess'.padEnd(width)} | otp`];
  for (let i = from; i < Math.max(ours.length, otp.length); i++) {
    const a = ours[i] ?? '';
    const b = otp[i] ?? '';
    rows.push(`${a.padEnd(width)} ${a === b ? '|' : '#'} ${b}`);
  }
  return rows.join('\n');
}
