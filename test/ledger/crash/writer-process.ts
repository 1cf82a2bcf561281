// Runs a crash-test child process (the ledger writer, writer.ts, or the durable host child) and SIGKILLs it when
// its output reaches the chosen moment. Every complete line the child wrote before it died is collected,
// including lines still in the pipe at the kill: each was printed after its COMMIT, so each is an
// acknowledgement the test must find in the database. A torn last line (the child died while writing it) is
// dropped: it is not an acknowledgement anyone received.
import { spawn } from 'node:child_process';
import { parseEvent, type AckEvent, type FailedEvent, type WriterEvent } from './workload.js';

/** Acks to wait for a checkpoint before killing anyway (a kill must always come). */
const CHECKPOINT_PATIENCE_ACKS = 5000;

/** When to send SIGKILL. */
export type KillMoment =
  /** As the writer starts opening the store (on a fresh database: during its very first open). */
  | { readonly at: 'opening' }
  /** As soon as the ledger is open, before any acknowledgement arrived. */
  | { readonly at: 'ready' }
  /** After this many acknowledgements arrived. */
  | { readonly at: 'acks'; readonly count: number }
  /** When the writer starts saving a checkpoint, once this many acknowledgements arrived. */
  | { readonly at: 'checkpoint'; readonly afterAcks: number };

/** What one killed writer printed. */
export interface KilledWriter {
  readonly acks: readonly AckEvent[];
  /** Appends the writer saw rejected. */
  readonly failed: readonly FailedEvent[];
  /** Log size the writer found when it opened, or null when it was killed before that. */
  readonly sizeAtOpen: number | null;
  /** Whether the kill was sent at the moment asked for (a checkpoint kill falls back to an ack count). */
  readonly killedAsPlanned: boolean;
  /** Checkpoint saves the writer announced. */
  readonly checkpoints: number;
}

/** What a line watcher says after a line: kill now as planned, kill now though not as planned, or keep going. */
export type LineVerdict = 'kill' | 'fallback' | null;

/**
 * Spawns `node js ...args`, hands each complete stdout line to `onLine`, SIGKILLs the child when `onLine` says so,
 * and resolves once it is dead and its output drained, with whether the kill came as planned. An `onLine` that
 * throws kills the child and fails the run; a child that ends by itself fails it too (naming `plan`).
 */
export function runChildUntilKilled(
  js: string,
  args: readonly string[],
  onLine: (line: string) => LineVerdict,
  plan: string,
): Promise<{ readonly killedAsPlanned: boolean }> {
  const child = spawn(process.execPath, [js, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let killed = false;
  let killedAsPlanned = false;
  let pending = '';
  let stderr = '';
  let failure: Error | null = null;

  const kill = (asPlanned: boolean): void => {
    if (killed) return;
    killed = true;
    killedAsPlanned = asPlanned;
    child.kill('SIGKILL');
  };

  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pending += chunk;
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        const verdict = onLine(line);
        if (verdict !== null) kill(verdict === 'kill');
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
        kill(false);
      }
      nl = pending.indexOf('\n');
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });

  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (failure !== null) return reject(failure);
      if (!killed || signal !== 'SIGKILL') {
        return reject(
          new Error(
            `the child ended by itself (code ${code}, signal ${signal}) before the kill ${plan}:\n${stderr}`,
          ),
        );
      }
      resolve({ killedAsPlanned });
    });
  });
}

/**
 * Spawns the writer (`writerJs`, compiled by compileWriter) with `args`, kills it at `moment`, and resolves once
 * it is dead and its output drained.
 */
export async function runWriterUntilKilled(
  writerJs: string,
  args: readonly string[],
  moment: KillMoment,
): Promise<KilledWriter> {
  const acks: AckEvent[] = [];
  const failed: FailedEvent[] = [];
  let sizeAtOpen: number | null = null;
  let checkpoints = 0;

  const shouldKill = (e: WriterEvent): LineVerdict => {
    switch (moment.at) {
      case 'opening':
        return e.t === 'opening' ? 'kill' : null;
      case 'ready':
        return e.t === 'ready' ? 'kill' : null;
      case 'acks':
        return e.t === 'ack' && acks.length >= moment.count ? 'kill' : null;
      case 'checkpoint':
        if (e.t === 'checkpoint' && e.phase === 'saving' && acks.length >= moment.afterAcks) return 'kill';
        return acks.length >= moment.afterAcks + CHECKPOINT_PATIENCE_ACKS ? 'fallback' : null;
    }
  };
  const onLine = (line: string): LineVerdict => {
    const e = parseEvent(line);
    if (e.t === 'ack') acks.push(e);
    else if (e.t === 'failed') failed.push(e);
    else if (e.t === 'ready') sizeAtOpen = e.size;
    else if (e.t === 'checkpoint' && e.phase === 'saved') checkpoints++;
    return shouldKill(e);
  };
  const { killedAsPlanned } = await runChildUntilKilled(writerJs, args, onLine, `at ${moment.at}`);
  return { acks, failed, sizeAtOpen, killedAsPlanned, checkpoints };
}
