// Runs the durable crash-test child (child.ts) until the planned SIGKILL and collects what it printed, through the
// ledger crash test's child runner (every complete line, including lines still in the pipe at the kill).
import { runChildUntilKilled, type LineVerdict } from '../../ledger/crash/writer-process.js';
import { parseChildEvent, type AckHow, type ChildEvent, type Command, type HostCounts } from './events.js';

/** When to send SIGKILL. */
export type KillMoment =
  /** As the child starts opening the host (on a fresh database: during its very first open). */
  | { readonly at: 'opening' }
  /** As soon as the host is open: the due scanner is catching up on timers that fell due while none ran. */
  | { readonly at: 'ready' }
  /** After this many acknowledgements arrived. */
  | { readonly at: 'acks'; readonly count: number }
  /** Once the host reports having passivated governors (under load, after at least one ack). */
  | { readonly at: 'passivated' };

/** An acknowledged command. */
export interface Ack extends Command {
  readonly how: AckHow;
  /** The reply: the governor's total after the add. */
  readonly r: number;
}

/** What one run of a host printed (a killed child, or the final clean run). */
export interface HostRun {
  /** New commands sent (acknowledged or not). */
  readonly sends: readonly Command[];
  readonly acks: readonly Ack[];
  /** Re-sends of an acknowledged key with other content, refused. */
  readonly refused: readonly Command[];
  /** Calls that rejected (each sent again by the child). */
  readonly failed: readonly string[];
  /** The host's last printed counters (zeros when it printed none). */
  readonly counts: HostCounts;
  /** Whether the host finished opening. */
  readonly opened: boolean;
  /** Whether the kill came at the moment asked for (an open may finish before an `opening` kill lands). */
  readonly killedAsPlanned: boolean;
}

/** Spawns the compiled child with `args`, kills it at `moment`, resolves with what it printed. */
export async function runHostUntilKilled(
  childJs: string,
  args: readonly string[],
  moment: KillMoment,
): Promise<HostRun> {
  const sends: Command[] = [];
  const acks: Ack[] = [];
  const refused: Command[] = [];
  const failed: string[] = [];
  let opened = false;
  let counts: HostCounts = { created: 0, activations: 0, passivated: 0, steps: 0 };
  const verdict = (e: ChildEvent): LineVerdict => {
    if (moment.at === 'opening') return e.t === 'opening' ? 'kill' : null;
    if (moment.at === 'ready') return e.t === 'ready' ? 'kill' : null;
    if (moment.at === 'passivated')
      return e.t === 'stats' && e.passivated > 0 && acks.length > 0 ? 'kill' : null;
    return e.t === 'ack' && acks.length >= moment.count ? 'kill' : null;
  };
  const onLine = (line: string): LineVerdict => {
    const e = parseChildEvent(line);
    const { g, k, n } = e as Partial<Command>;
    const cmd = { g, k, n } as Command;
    if (e.t === 'ready') opened = true;
    else if (e.t === 'send') sends.push(cmd);
    else if (e.t === 'ack') acks.push({ ...cmd, how: e.how, r: e.r });
    else if (e.t === 'refused') refused.push(cmd);
    else if (e.t === 'failed') failed.push(`${e.k}: ${e.error}`);
    else if (e.t === 'stats') counts = e;
    return verdict(e);
  };
  const { killedAsPlanned } = await runChildUntilKilled(childJs, args, onLine, `at ${moment.at}`);
  return { sends, acks, refused, failed, counts, opened, killedAsPlanned };
}
