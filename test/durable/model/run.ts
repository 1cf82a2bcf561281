// Runs one generated program against the system under test and the model, then says how they differ.
//
// Rules that keep the comparison well-defined (the test checks equality, not "some legal order"):
// - After every operation both sides settle: every command sent is handled (or postponed) and every timer due at
//   the current time has fired, so a command never races a timer that is due.
// - Time moves only by `advance` and by the downtime of `restart`/`crash`, by the same amount on both sides.
//   A timer due while the system under test is down fires late on activation; the reopen runs `scanDue` and
//   settles before any command is retried, so it fires before the next command, as it did (on time) in the model.
// - Every command that can be in flight at a crash carries an idempotency key; after a crash or restart the
//   client sends every command it has no answer for again, same key and content, in the order first sent.
// - A crash burst's commands reach the model in two groups: those whose receipt the crashed store holds
//   ("landed") before the downtime, the others (lost, applied by the retry) after it, as the SUT saw them.
// - Runs in which the host cannot give the model's exact order are skipped, by the rules of ambiguous.ts.
import fc from 'fast-check';
import { GovernessError } from '../../../src/errors/index.js';
import type { DurableHost } from '../../../src/durable/index.js';
import type { LedgerRecord } from '../../../src/ledger/index.js';
import { GOVERNORS, fmtMs, gkeyOf, type BurstCmd, type CallSpec, type Op } from './ops.js';
import type { ModelCall, ModelCast } from './machine.js';
import type { ModelSide, SutSide } from './hosts.js';

type SideName = 'sut' | 'model';

/** One logical command: sent once by the program, again by every retry. */
interface Command {
  readonly id: number;
  readonly gkey: string;
  readonly key: string | null;
  readonly label: string;
  send(host: DurableHost): Promise<unknown>;
}

/** What the attempts of one command on one side gave. */
interface Attempts {
  readonly answers: unknown[];
  pending: number;
  readonly errors: { readonly generation: number; readonly code: string }[];
}

/** Counts over a run, to show what the runs exercised. */
export interface RunStats {
  ops: number;
  crashes: number;
  restarts: number;
  landed: number;
  lost: number;
  lostAcks: number;
  retries: number;
  lateTimers: number;
  activations: number;
  passivations: number;
  receipts: number;
  /** Runs skipped, by the rule of ambiguous.ts that excluded them. */
  skipped: { queued: number };
}

/** A new, zeroed RunStats. */
export function emptyStats(): RunStats {
  return {
    ops: 0,
    crashes: 0,
    restarts: 0,
    landed: 0,
    lost: 0,
    lostAcks: 0,
    retries: 0,
    lateTimers: 0,
    activations: 0,
    passivations: 0,
    receipts: 0,
    skipped: { queued: 0 },
  };
}

/** What is compared at the end: per governor receipts, per command answers, errors no crash explains. */
export interface Observed {
  readonly receipts: Record<string, string[]>;
  readonly answers: string[];
  readonly unexplained: string[];
}

/** JSON with object keys sorted: data loaded from a snapshot comes back in canonical key order. */
function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'object' && x !== null && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

function receiptLine(r: LedgerRecord): string {
  const { event, state_from, state_to, status, reason, metadata, cause } = r.receipt;
  const meta = Object.entries(metadata)
    .filter(([k]) => k !== 'timer_late_ms')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  const key = cause.idempotency_key === null ? '' : ` key=${cause.idempotency_key}`;
  return `${event.type}:${event.summary} ${state_from}->${state_to} ${status}/${reason.code} ${meta}${key}`;
}

/** Drives both sides through one program. */
export class ModelRun {
  private readonly commands: Command[] = [];
  private readonly keyed: Command[] = [];
  private readonly attempts = { sut: new Map<number, Attempts>(), model: new Map<number, Attempts>() };

  constructor(
    private readonly sut: SutSide,
    private readonly model: ModelSide,
    private readonly stats: RunStats,
  ) {}

  /** Applies one operation to both sides. */
  async apply(o: Op): Promise<void> {
    this.stats.ops++;
    switch (o.op) {
      case 'call':
        return this.both(this.command(o.g, o.call));
      case 'cast': {
        const content: ModelCast = o.by === 0 ? { type: 'noop' } : { type: 'bump', by: o.by };
        return this.both(this.castCommand(o.g, content, o.keyed));
      }
      case 'get':
        return this.both(this.rawCall(o.g, { type: 'get' }, null, 'get'));
      case 'retry': {
        const c = this.keyed[o.pick % Math.max(1, this.keyed.length)];
        if (c !== undefined) await this.both(c);
        return;
      }
      case 'advance':
        await this.sut.advance(o.ms);
        await this.model.advance(o.ms);
        return;
      case 'passivate':
        this.sut.host.passivate(gkeyOf(o.g));
        return this.sut.settle();
      case 'passivateAll':
        this.sut.host.passivateAll();
        return this.sut.settle();
      case 'restart':
        this.stats.restarts++;
        await this.sut.restart(o.downMs);
        this.skipIfAmbiguous();
        await this.model.advance(o.downMs);
        return this.retryUnanswered();
      case 'crash':
        return this.crash(o.burst, o.commits, o.lostAck, o.downMs);
    }
  }

  private async crash(
    burst: readonly BurstCmd[],
    commits: number,
    lostAck: boolean,
    down: number,
  ): Promise<void> {
    this.stats.crashes++;
    const cmds = burst.map((b) =>
      'call' in b ? this.command(b.g, b.call) : this.castCommand(b.g, { type: 'bump', by: b.bump }, true),
    );
    const before = this.sut.lostAcks;
    await this.sut.crash({ commits, lostAck }, () => cmds.forEach((c) => this.attempt('sut', c)), down);
    this.stats.lostAcks += this.sut.lostAcks - before;
    this.skipIfAmbiguous();
    const landed: Command[] = [];
    const lost: Command[] = [];
    for (const c of cmds) ((await this.hasReceipt(c)) ? landed : lost).push(c);
    this.stats.landed += landed.length;
    this.stats.lost += lost.length;
    for (const c of landed) this.attempt('model', c);
    await this.model.settle();
    await this.model.advance(down);
    for (const c of lost) this.attempt('model', c);
    await this.model.settle();
    await this.retryUnanswered();
  }

  private skipIfAmbiguous(): void {
    const why = this.sut.skip;
    if (why !== null) this.stats.skipped[why]++;
    fc.pre(why === null);
  }

  /** The client after a restart or crash: every keyed command without an answer is sent again, in order. */
  private async retryUnanswered(): Promise<void> {
    for (const c of this.commands) {
      const a = this.attempts.sut.get(c.id);
      if (c.key === null || a === undefined || a.answers.length > 0 || a.pending > 0) continue;
      this.stats.retries++;
      this.attempt('sut', c);
    }
    await this.sut.settle();
  }

  private async hasReceipt(c: Command): Promise<boolean> {
    const records = await this.sut.host.ledger.readLedger(c.gkey, 1, 10_000);
    return records.some((r) => r.receipt.cause.idempotency_key === c.key);
  }

  /** Sends `c` to both sides and settles both. */
  private async both(c: Command): Promise<void> {
    this.attempt('sut', c);
    this.attempt('model', c);
    await this.sut.settle();
    await this.model.settle();
  }

  private attempt(side: SideName, c: Command): void {
    let a = this.attempts[side].get(c.id);
    if (a === undefined) {
      a = { answers: [], pending: 0, errors: [] };
      this.attempts[side].set(c.id, a);
    }
    const at = a;
    const generation = side === 'sut' ? this.sut.generation : 0;
    at.pending++;
    c.send(side === 'sut' ? this.sut.host : this.model.host).then(
      (v) => {
        at.pending--;
        at.answers.push(v);
      },
      (err: unknown) => {
        at.pending--;
        at.errors.push({ generation, code: GovernessError.is(err) ? err.code : String(err) });
      },
    );
  }

  /** A keyed call (every call that changes something carries a key, so the client can retry it). */
  private command(g: number, spec: CallSpec): Command {
    // A tick's slot is fixed when the command is first made; a retry sends the same content.
    const request: ModelCall =
      spec.type === 'tick'
        ? { type: 'tick', at: this.sut.clock.now() + spec.period, period: spec.period }
        : spec.type === 'add'
          ? { type: 'add', n: spec.n }
          : spec.type === 'arm'
            ? { type: 'arm', ms: spec.ms }
            : { type: spec.type };
    const label = spec.type === 'tick' ? `tick ${fmtMs(spec.period)}` : JSON.stringify(request);
    return this.rawCall(g, request, `c${this.commands.length}`, label);
  }

  private rawCall(g: number, request: ModelCall, key: string | null, label: string): Command {
    const gkey = gkeyOf(g);
    return this.add({
      gkey,
      key,
      label: `g${g} ${label}`,
      send: (host) => host.call(gkey, request, key === null ? {} : { idempotencyKey: key }),
    });
  }

  private castCommand(g: number, content: ModelCast, keyed: boolean): Command {
    const gkey = gkeyOf(g);
    const key = keyed ? `c${this.commands.length}` : null;
    return this.add({
      gkey,
      key,
      label: `g${g} cast ${JSON.stringify(content)}`,
      // `duplicate` says whether this attempt applied it; the version of the consuming step is the answer.
      send: async (host) => ({
        version: (await host.cast(gkey, content, key === null ? {} : { idempotencyKey: key })).version,
      }),
    });
  }

  private add(c: Omit<Command, 'id'>): Command {
    const cmd = { ...c, id: this.commands.length };
    this.commands.push(cmd);
    if (cmd.key !== null) this.keyed.push(cmd);
    return cmd;
  }

  /** Reads every governor on both sides (a final `get` each) and returns what must be equal. */
  async observe(): Promise<{ sut: Observed; model: Observed }> {
    for (let g = 0; g < GOVERNORS; g++) await this.both(this.rawCall(g, { type: 'get' }, null, 'final get'));
    const sut = await this.observed('sut');
    const model = await this.observed('model');
    const stats = this.sut.host.stats();
    this.stats.activations += stats.activations + this.sut.closed.activations;
    this.stats.passivations += stats.passivated + this.sut.closed.passivated;
    return { sut, model };
  }

  private async observed(side: SideName): Promise<Observed> {
    const host = side === 'sut' ? this.sut.host : this.model.host;
    const receipts: Record<string, string[]> = {};
    for (let g = 0; g < GOVERNORS; g++) {
      const records = await host.ledger.readLedger(gkeyOf(g), 1, 10_000);
      if (side === 'sut') {
        this.stats.receipts += records.length;
        this.stats.lateTimers += records.filter(
          (r) => Number(r.receipt.metadata.timer_late_ms ?? 0) > 0,
        ).length;
      }
      receipts[`g${g}`] = records.map(receiptLine);
    }
    const answers: string[] = [];
    const unexplained: string[] = [];
    const current = side === 'sut' ? this.sut.generation : 0;
    for (const c of this.commands) {
      const a = this.attempts[side].get(c.id);
      const distinct = [...new Set((a?.answers ?? []).map(sortedJson))];
      answers.push(`#${c.id} ${c.label}: ${distinct.length === 0 ? 'no answer' : distinct.join(' | ')}`);
      for (const e of a?.errors ?? []) {
        // An attempt may fail only on a host that was later restarted or crashed (the client then retried).
        if (e.generation >= current) unexplained.push(`#${c.id} ${c.label}: ${e.code}`);
      }
    }
    return { receipts, answers, unexplained };
  }
}
