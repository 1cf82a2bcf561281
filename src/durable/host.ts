// The durable host (docs/durable/design.md): runs durable governors of several kinds over one ledger. It
// activates a governor when a command or a due timer needs it (creating it on its first command), commits each
// step with its receipt before releasing the step's replies and effects, answers a retried idempotency key from
// the stored reply, passivates idle governors and keeps at most `maxActive` in memory.
import { randomUUID } from 'node:crypto';
import { DurableErrors, GovernessError, RuntimeErrors } from '../errors/index.js';
import { parseCanonical } from '../ledger/canonical/index.js';
import {
  Ledger,
  type LedgerConfig,
  type LedgerStore,
  type NoteSigner,
  type SqlValue,
} from '../ledger/index.js';
import {
  PASSIVATED,
  Runtime,
  formatReason,
  isCleanExit,
  type CallRequest,
  type Clock,
  type ExitReason,
  type MachineTypes,
  type ReplyFor,
  type TimerHandle,
  type TimerTarget,
} from '../runtime/index.js';
import { ActiveSet } from './active-set.js';
import { commitMigration, decodeGovernorRow, migrateLoaded, quarantine, statusOf } from './activation.js';
import {
  dataVersionOf,
  type DurableDefinition,
  type DurableGovernor,
  type DurableKind,
} from './definition.js';
import { DueScanner, type DueScanOptions, type DueScanStats } from './due-scanner.js';
import { DurableReply, type CommandCause } from './durable-reply.js';
import { Governor, type CastAck, type PendingCast } from './governor.js';
import { formatGkey, parseGkey, type GkeyParts } from './keys.js';
import type { OutboxHandler } from './outbox.js';
import { OutboxRelay } from './outbox-relay.js';

import { refusalDraft } from './refusals.js';
import { ArrivalOrder, type Turn } from './arrival-order.js';
import { checkHostOptions, checkNumberOption } from './host-options.js';
import { checkText, KeyedCommands, requestHash, type KeyedArrival } from './inbox.js';
import { ReplyWaiters } from './reply-waiters.js';
import { RowBatcher } from './row-batcher.js';
import type { DurableSnapshot } from './snapshot-codec.js';
import { StepCommitter, type CastCause } from './step-commit.js';
import { refuseAt, toStorable, type ReplyCodec } from './storable.js';
import { DURABLE_TABLES, GOVERNORS_TABLE } from './tables.js';
import { gensAfterRestore, restoreTimers } from './timer-rows.js';

export type { CastAck } from './governor.js';

/** How to open a durable host. */
export interface DurableHostOptions {
  /** Where receipts, governor rows and replies live (not yet opened: the host registers its tables first). */
  readonly store: LedgerStore;
  /** The only source of time. */
  readonly clock: Clock;
  /** The ledger's signing key. */
  readonly signer: NoteSigner;
  /** The governor kinds this host runs (defineDurable results). */
  readonly definitions: readonly DurableKind[];
  /** Further ledger settings (group commit, checkpoint interval, anchors). */
  readonly ledger?: Partial<Omit<LedgerConfig, 'store' | 'clock' | 'signer'>>;
  /** Passivate a governor unused for this long (default 300,000 ms). */
  readonly idleMs?: number;
  /** Most governors in memory; the least recently used idle ones leave first (default 10,000). */
  readonly maxActive?: number;
  /** How often idle governors are looked for (default 1,000 ms). */
  readonly sweepMs?: number;
  /** The due-timer scanner. */
  readonly scan?: DueScanOptions;
  /** Default time a caller waits for a reply (default 5,000 ms). */
  readonly callTimeoutMs?: number;
  /** External effects by name, for `callOut(handler, payload)` in a durable machine. */
  readonly handlers?: Readonly<Record<string, OutboxHandler>>;
}

/** Options of one command. */
export interface CommandOptions {
  /** Apply at most once per governor; a retry with the same key and content gets the original reply. */
  readonly idempotencyKey?: string;
  /** The API request id, for the receipt. */
  readonly requestId?: string;
  /** Pseudonymous actor id, for the receipt. */
  readonly actor?: string;
  /** Create the governor if it does not exist (default true). */
  readonly create?: boolean;
  /** How long to wait for the reply (default the host's `callTimeoutMs`). */
  readonly timeoutMs?: number;
}

/** Host statistics. */
export interface DurableHostStats {
  readonly active: number;
  readonly activations: number;
  readonly created: number;
  readonly passivated: number;
  /** Governors whose last crash (or failed load) the scanner still backs off from or remembers. */
  readonly crashed: number;
  readonly stepsCommitted: number;
  readonly stepsSkipped: number;
  readonly waiting: number;
  readonly scanner: DueScanStats;
}

/** A typed handle on one governor. */
export interface GovernorRef<T extends MachineTypes> {
  /** The governor's gkey. */
  readonly gkey: string;
  /** Calls the governor; resolves with its reply once the step that gave it is committed. */
  call<R extends CallRequest<T>>(request: R, options?: CommandOptions): Promise<ReplyFor<T, R>>;
  /** Casts to the governor; resolves once the step that consumed it is committed. */
  cast(content: T['cast'], options?: CommandOptions): Promise<CastAck>;
}

const SWEEP = 0;
/**
 * How long a crash is remembered after its back-off ended, if the governor neither crashes nor runs again (a
 * step forgets it at once): long enough for a crash loop's back-off to keep growing (up to 5 min), short enough
 * that a host does not keep one record per governor that ever crashed.
 */
const CRASH_MEMORY_MS = 3_600_000;

/** Runs durable governors over one ledger. */
export class DurableHost implements AsyncDisposable, TimerTarget {
  /** The runtime the governors run in. */
  readonly runtime: Runtime;
  private readonly defs = new Map<string, DurableDefinition<MachineTypes>>();
  private readonly active = new ActiveSet();
  private readonly loading = new Map<string, Promise<Governor>>();
  private readonly waiters: ReplyWaiters;
  private readonly keyed: KeyedCommands;
  /** The order commands reached the host in, per governor: they reach its mailbox in that order. */
  private readonly order = new ArrivalOrder();
  /** Governor rows read for activation, batched per macrotask. */
  private readonly rows: RowBatcher;
  private readonly casts = new WeakMap<object, CastCause>();
  /** Casts between arrival and delivery, by gkey: they pin their governor (see deliverCast). */
  private readonly arriving = new Map<string, number>();
  private readonly committer: StepCommitter;
  private readonly scanner: DueScanner;
  /** Governors that crashed (or failed to load), for the scanner's back-off; forgotten once one runs again. */
  private readonly crashes = new Map<string, { count: number; until: number }>();
  private readonly unknownReported = new Set<string>();
  private readonly run = randomUUID().slice(0, 8);
  private serial = 0;
  private sweepTimer: TimerHandle | null = null;
  private closed = false;
  private readonly idleMs: number;
  private readonly maxActive: number;
  private readonly sweepMs: number;
  private readonly callTimeoutMs: number;
  private readonly relay: OutboxRelay;
  private counts = { activations: 0, created: 0, passivated: 0 };
  /** Crash receipts being appended (see crashed). */
  private refusing = 0;
  /** What a KeyedCall needs of its host: made once per host, so a keyed call allocates no closures. */
  private readonly callOps: KeyedCallOps;
  /** Reply targets in snapshots: a durable call's target is stored by name; anything else cannot be. */
  private readonly codec: ReplyCodec = {
    encode: (target, path) => {
      if (target instanceof DurableReply) return target.stored;
      return refuseAt(
        path,
        'only a durable host call can be kept in a durable governor (not a runtime call)',
      );
    },
    decode: (tag, path) => DurableReply.load(this.waiters, tag, path),
  };

  private constructor(
    /** The ledger every step is committed to. */
    readonly ledger: Ledger,
    private readonly store: LedgerStore,
    private readonly clock: Clock,
    options: DurableHostOptions,
  ) {
    this.runtime = new Runtime({ clock });
    for (const d of options.definitions) {
      if (this.defs.has(d.kind)) {
        throw new GovernessError(RuntimeErrors.badDefinition, {
          problem: `governor kind ${d.kind} given twice`,
        });
      }
      this.defs.set(d.kind, d.untyped);
    }
    this.idleMs = options.idleMs ?? 300_000;
    this.maxActive = options.maxActive ?? 10_000;
    this.sweepMs = options.sweepMs ?? 1000;
    this.callTimeoutMs = options.callTimeoutMs ?? 5000;
    this.waiters = new ReplyWaiters(clock);
    this.callOps = {
      waiters: this.waiters,
      deliver: (gkey, request, target, create, turn) => this.deliverCall(gkey, request, target, create, turn),
      activate: async (gkey) => {
        await this.activate(gkey, false);
      },
    };
    this.keyed = new KeyedCommands(store, ledger, clock);
    this.rows = new RowBatcher(store, GOVERNORS_TABLE.name, clock);
    this.relay = new OutboxRelay(store, ledger, clock, options.handlers ?? {}, (to, content, key, outbox) =>
      this.castFrom(to, content, { idempotencyKey: key }, outbox),
    );
    this.committer = new StepCommitter({
      ledger,
      clock,
      casts: this.casts,
      codec: this.codec,
      used: (g) => {
        this.active.used(g, clock.now());
        // It handled an event: a crash before it no longer counts towards the back-off.
        if (this.crashes.size > 0) this.crashes.delete(g.gkey);
      },
      released: (entries) => {
        for (const e of entries) this.relay.deliver(e, 0);
      },
      consumed: (gkey, key) => this.keyed.done(gkey, key),
    });
    this.scanner = new DueScanner(
      store,
      clock,
      {
        wanted: (gkey) => this.wantedByScanner(gkey),
        mark: () => this.active.departures,
        activate: (gkey, row, mark) => this.activateDue(gkey, row, mark),
      },
      options.scan,
    );
  }

  /** Registers the durable tables, opens the ledger and starts the due-timer scanner and the idle sweep. */
  static async open(options: DurableHostOptions): Promise<DurableHost> {
    checkHostOptions(options);
    for (const t of DURABLE_TABLES) options.store.defineTable(t);
    const ledger = await Ledger.open({
      ...options.ledger,
      store: options.store,
      clock: options.clock,
      signer: options.signer,
    });
    const host = new DurableHost(ledger, options.store, options.clock, options);
    // A SimulatedClock waits for the host as for a runtime: a timer's step is committed before the next fires.
    const settle = (options.clock as { onSettle?: (owner: DurableHost) => void }).onSettle;
    if (typeof settle === 'function') settle.call(options.clock, host);
    host.scanner.start();
    host.armSweep();
    host.relay.redeliverStored();
    return host;
  }

  /** A typed handle on the governor `<kind>/<sku>/<tenant>` of definition `def`. */
  governor<T extends MachineTypes>(def: DurableGovernor<T>, sku: string, tenant: string): GovernorRef<T> {
    const gkey = formatGkey({ kind: def.kind, sku, tenant });
    return {
      gkey,
      call: (request, options) => this.call(gkey, request, options) as Promise<ReplyFor<T, typeof request>>,
      cast: (content, options) => this.cast(gkey, content, options),
    };
  }

  /**
   * Calls governor `gkey`; resolves with the reply once the step that gave it is committed. Not an async
   * function: a keyed call (every durable step's hot path) returns its command's promise itself instead of
   * wrapping it in another; what the validation throws is returned as a rejection all the same.
   */
  call(gkey: string, request: unknown, options: CommandOptions = {}): Promise<unknown> {
    try {
      const { parts, copy, key, cause } = this.command(gkey, request, 'request', options);
      checkNumberOption(options.timeoutMs, 'timeoutMs', 'positive number or Infinity');
      const timeoutMs = options.timeoutMs ?? this.callTimeoutMs;
      const create = options.create ?? true;
      if (key === null) return this.callUnkeyed(gkey, copy, cause, create, timeoutMs, this.order.enter(gkey));
      const hash = requestHash(copy);
      const target = DurableReply.keyed(this.waiters, gkey, key, hash, cause);
      const turn = this.order.enter(gkey);
      return this.keyed.run(
        new KeyedCall(this.callOps, gkey, parts, key, hash, cause, copy, target, create, timeoutMs, turn),
      );
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private async callUnkeyed(
    gkey: string,
    request: unknown,
    cause: CommandCause,
    create: boolean,
    timeoutMs: number,
    turn: Turn,
  ): Promise<unknown> {
    const target = DurableReply.unkeyed(this.waiters, gkey, `${this.run}.${this.serial++}`, cause);
    const reply = this.waiters.wait(target.stored, gkey, timeoutMs);
    try {
      await this.deliverCall(gkey, request, target, create, turn);
    } catch (err) {
      this.waiters.fail(target.stored, err instanceof Error ? err : new Error(String(err)));
    }
    return reply;
  }

  /** Casts to governor `gkey`; resolves once the step that consumed it is committed. Content must be an object. */
  cast(gkey: string, content: unknown, options: CommandOptions = {}): Promise<CastAck> {
    return this.castFrom(gkey, content, options, null);
  }

  /** A cast, possibly delivering outbox row `outbox` (deleted by the step that consumes the cast). */
  private async castFrom(
    gkey: string,
    content: unknown,
    options: CommandOptions,
    outbox: string | null,
  ): Promise<CastAck> {
    const { parts, copy, key, cause } = this.command(gkey, content, 'content', options);
    if (typeof copy !== 'object' || copy === null) {
      refuseAt('content', 'a durable cast carries an object (it is tracked until its step is committed)');
    }
    const create = options.create ?? true;
    if (key === null)
      return this.deliverCast(gkey, copy as object, null, null, cause, create, null, this.order.enter(gkey));
    const hash = requestHash(copy);
    const turn = this.order.enter(gkey);
    let settle!: { resolve: (ack: CastAck) => void; reject: (err: Error) => void };
    const first = new Promise<CastAck>((resolve, reject) => (settle = { resolve, reject }));
    // A keyed cast's outcome is its ack: once settled, a retry is answered from the reply row instead.
    void first.then(
      () => this.keyed.done(gkey, key),
      () => this.keyed.done(gkey, key),
    );
    return this.keyed.run({
      gkey,
      parts,
      key,
      hash,
      cause,
      join: () => first,
      fail: settle.reject,
      leave: () => turn.release(),
      proceed: async (row) => {
        if (row === null) {
          settle.resolve(
            await this.deliverCast(gkey, copy as object, key, hash, cause, create, outbox, turn),
          );
          return;
        }
        const stored = parseCanonical(row.reply as Uint8Array, 'durable_replies.reply') as {
          version?: unknown;
        };
        const version = typeof stored.version === 'number' ? stored.version : 0;
        settle.resolve({ gkey, version, duplicate: true });
      },
    }) as Promise<CastAck>;
  }

  /** True while a step is being committed or a governor is being loaded. */
  get busy(): boolean {
    return (
      this.committer.inFlight > 0 ||
      this.loading.size > 0 ||
      this.keyed.busy ||
      this.relay.busy ||
      this.refusing > 0
    );
  }

  /** True when nothing is running, being committed, loaded or scanned (SimulatedClock waits for this). */
  get isIdle(): boolean {
    return this.closed || (this.runtime.isIdle && !this.busy && !this.scanner.busy);
  }

  /** Resolves when the host is idle: every delivered command handled and every step committed. */
  async idle(): Promise<void> {
    while (!this.isIdle) {
      await this.runtime.idle();
      await new Promise<void>((resolve) => this.clock.defer(resolve));
    }
  }

  /** The stored row of a governor (version, data version, status, next due time), or null when there is none. */
  async storedGovernor(
    gkey: string,
  ): Promise<{ version: number; dataVersion: number; status: string; nextDueMs: number | null } | null> {
    parseGkey(gkey);
    const row = await this.store.getRow(GOVERNORS_TABLE.name, { gkey });
    if (row === null) return null;
    return {
      version: row.version as number,
      dataVersion: row.data_ver as number,
      status: row.status as string,
      nextDueMs: row.next_due_ms as number | null,
    };
  }

  /** True when the governor is in memory. */
  isActive(gkey: string): boolean {
    return this.active.get(gkey) !== undefined;
  }

  /** Takes a governor out of memory now if nothing pins it; true when it left. */
  passivate(gkey: string): boolean {
    const g = this.active.get(gkey);
    return g !== undefined && this.evict(g);
  }

  /** Passivates every governor nothing pins; returns how many left memory. */
  passivateAll(): number {
    return this.active.shed(0, null, (g) => this.evict(g));
  }

  /** Runs one due-timer scan now (the scanner also runs by itself). */
  async scanDue(): Promise<void> {
    await this.scanner.scanNow();
  }

  /** Statistics. */
  stats(): DurableHostStats {
    return {
      active: this.active.size,
      ...this.counts,
      crashed: this.crashes.size,
      stepsCommitted: this.committer.committed,
      stepsSkipped: this.committer.skipped,
      waiting: this.waiters.size,
      scanner: this.scanner.stats(),
    };
  }

  /**
   * Stops: no new commands, the scanner and sweep end, waiting callers get GOV_HOST_CLOSED, every step already
   * handed to the ledger is committed, the governors leave memory and the ledger closes.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer !== null) this.clock.cancel(this.sweepTimer);
    this.sweepTimer = null;
    await this.scanner.stop();
    this.relay.close();
    await Promise.allSettled([...this.loading.values()]);
    this.waiters.failAll((gkey) => new GovernessError(DurableErrors.hostClosed, { gkey }));
    for (const g of [...this.active.values()]) {
      for (const p of g.casts) p.reject(new GovernessError(DurableErrors.hostClosed, { gkey: g.gkey }));
      g.casts.clear();
      if (g.pid !== null) this.runtime.exit(g.pid, 'kill');
      this.active.remove(g);
    }
    await this.ledger.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  onTimer(token: number): void {
    if (token !== SWEEP) return;
    this.sweepTimer = null;
    const now = this.clock.now();
    const horizon = this.clock.wallNow() + this.scanner.horizon;
    this.active.shed(this.maxActive, now - this.idleMs, (g) => {
      // A governor whose timer is due within the scan horizon would be activated again at once: keep it.
      const due = g.timerRows.reduce((m, r) => Math.min(m, r.dueMs), Infinity);
      return due > horizon && this.evict(g);
    });
    this.armSweep();
  }

  // ---- commands ----

  private command(
    gkey: string,
    payload: unknown,
    argument: string,
    options: CommandOptions,
  ): { parts: GkeyParts; copy: unknown; key: string | null; cause: CommandCause } {
    if (this.closed) throw new GovernessError(DurableErrors.hostClosed, { gkey: String(gkey) });
    const parts = parseGkey(gkey);
    if (!this.defs.has(parts.kind)) {
      throw new GovernessError(DurableErrors.unknownGovernor, { kind: parts.kind, gkey });
    }
    const copy = toStorable(payload, argument);
    const key = checkText(options.idempotencyKey, 'idempotencyKey');
    const cause = {
      request_id: checkText(options.requestId, 'requestId'),
      actor: checkText(options.actor, 'actor'),
    };
    return { parts, copy, key, cause };
  }

  private async deliverCall(
    gkey: string,
    request: unknown,
    target: DurableReply,
    create: boolean,
    turn: Turn,
  ): Promise<void> {
    try {
      const ready = turn.ready();
      if (ready !== null) await ready;
      for (let attempt = 0; ; attempt++) {
        const g = await this.activate(gkey, create);
        if (g.pid !== null && this.runtime.callWith(g.pid, request as CallRequest<MachineTypes>, target))
          return;
        // The process ended between activation and delivery (it stopped or crashed): load it again once.
        if (attempt > 0) throw this.goneError(g);
      }
    } finally {
      turn.release();
    }
  }

  private async deliverCast(
    gkey: string,
    content: object,
    key: string | null,
    reqHash: string | null,
    cause: CommandCause,
    create: boolean,
    outbox: string | null,
    turn: Turn,
  ): Promise<CastAck> {
    // Until the cast is in the mailbox nothing pins its governor (a call has its waiting caller): an eviction
    // while activating another governor over maxActive would leave it sent to a process that is gone, dropped
    // without a word, and its sender waiting forever.
    this.arriving.set(gkey, (this.arriving.get(gkey) ?? 0) + 1);
    try {
      const ready = turn.ready();
      if (ready !== null) await ready;
      for (let attempt = 0; ; attempt++) {
        const g = await this.activate(gkey, create);
        const pid = g.pid;
        if (pid !== null && pid.alive) {
          return new Promise<CastAck>((resolve, reject) => {
            const pending: PendingCast = { resolve, reject };
            this.casts.set(content, { key, reqHash, cause, pending, outbox });
            g.casts.add(pending);
            this.runtime.cast(pid, content);
          });
        }
        // The process ended between activation and delivery (it stopped or crashed): load it again once.
        if (attempt > 0) throw this.goneError(g);
      }
    } finally {
      turn.release();
      const left = (this.arriving.get(gkey) ?? 1) - 1;
      if (left > 0) this.arriving.set(gkey, left);
      else this.arriving.delete(gkey);
    }
  }

  private goneError(g: Governor): GovernessError {
    return g.stopped
      ? new GovernessError(DurableErrors.stopped, { gkey: g.gkey, reason: 'stopped' })
      : new GovernessError(DurableErrors.commitFailed, { gkey: g.gkey, problem: 'the governor exited' });
  }

  // ---- activation ----

  private activate(
    gkey: string,
    create: boolean,
    row?: Readonly<Record<string, SqlValue>>,
  ): Promise<Governor> {
    const g = this.active.get(gkey);
    if (g !== undefined) {
      this.active.touch(g, this.clock.now());
      return Promise.resolve(g);
    }
    let loading = this.loading.get(gkey);
    if (loading === undefined) {
      loading = this.load(gkey, create, row).finally(() => this.loading.delete(gkey));
      this.loading.set(gkey, loading);
    }
    return loading;
  }

  private async load(
    gkey: string,
    create: boolean,
    scanned?: Readonly<Record<string, SqlValue>>,
  ): Promise<Governor> {
    const parts = parseGkey(gkey);
    const def = this.defs.get(parts.kind);
    if (def === undefined)
      throw new GovernessError(DurableErrors.unknownGovernor, { kind: parts.kind, gkey });
    const row = scanned ?? (await this.rows.get({ gkey }));
    if (this.closed) throw new GovernessError(DurableErrors.hostClosed, { gkey });
    const g = new Governor(gkey, parts, def);
    if (row === null) {
      if (!create) throw new GovernessError(DurableErrors.notFound, { gkey });
      return this.startNew(g);
    }
    const status = statusOf(row, gkey);
    if (status === 'quarantined') throw new GovernessError(DurableErrors.quarantined, { gkey });
    if (status === 'stopped') throw new GovernessError(DurableErrors.stopped, { gkey, reason: 'stopped' });
    const codec = this.codec;
    let loaded;
    try {
      loaded = decodeGovernorRow(row, gkey, codec);
    } catch (err) {
      await quarantine(this.ledger, g.parts, row, err);
      throw err;
    }
    let snapshot: DurableSnapshot = loaded.snapshot;
    let version = loaded.version;
    if (loaded.dataVer !== dataVersionOf(def)) {
      try {
        snapshot = migrateLoaded(def, gkey, loaded, codec);
      } catch (err) {
        await quarantine(this.ledger, g.parts, row, err);
        throw err;
      }
      version = await commitMigration(
        this.ledger,
        def,
        g.parts,
        row,
        { from: loaded.dataVer, before: loaded.snapshot, after: snapshot },
        codec,
      );
    }
    const now = this.clock.now();
    // Armed in generation order, which is the order they were first armed: the clock fires timers due at the same
    // millisecond in arming order, so a restart does not swap two timers that fall due together.
    const stored = [...loaded.timers].sort((a, b) => a.gen - b.gen);
    const timers = restoreTimers(stored, now, this.clock.wallNow());
    let restored;
    try {
      restored = this.runtime.restore(
        def.machine,
        {
          state: snapshot.state,
          data: snapshot.data,
          queue: snapshot.queue,
          postponed: snapshot.postponed,
          timers,
        },
        { commit: (s) => this.committer.commit(g, s) },
      );
    } catch (err) {
      await quarantine(this.ledger, g.parts, row, err);
      throw err;
    }
    if (!restored.ok)
      throw new GovernessError(RuntimeErrors.startFailed, {
        target: gkey,
        reason: formatReason(restored.reason as ExitReason),
      });
    g.pid = restored.pid;
    g.version = version;
    g.timerGen = snapshot.timerGen;
    g.gens = gensAfterRestore(stored, restored.timerIds);
    g.timerRows = stored;
    g.nextDueMs = loaded.nextDueMs;
    g.timers = timers;
    g.timerIds = restored.timerIds;
    g.data = snapshot.data;
    g.hadPending = snapshot.queue.length > 0 || snapshot.postponed.length > 0;
    this.counts.activations++;
    this.enter(g);
    return g;
  }

  private startNew(g: Governor): Governor {
    const started = this.runtime.start(g.def.machine, g.def.args(g.parts), {
      commit: (s) => this.committer.commit(g, s),
    });
    if (!started.ok) {
      throw new GovernessError(RuntimeErrors.startFailed, {
        target: g.gkey,
        reason: JSON.stringify(started.reason, (_k, v: unknown) => (v instanceof Error ? v.message : v)),
      });
    }
    g.pid = started.pid;
    this.counts.created++;
    this.enter(g);
    return g;
  }

  private enter(g: Governor): void {
    this.active.touch(g, this.clock.now());
    this.armSweep();
    this.runtime.monitor(g.pid as NonNullable<typeof g.pid>, (reason) => this.exited(g, reason));
    if (this.active.size > this.maxActive)
      this.active.shed(this.maxActive, null, (o) => o !== g && this.evict(o));
  }

  /** A governor's process ended: passivated (nothing to do), stopped, or failed (its callers are told why). */
  private exited(g: Governor, reason: ExitReason): void {
    this.active.remove(g);
    if (reason === PASSIVATED) return;
    const error =
      g.commitError ??
      (g.stopped
        ? new GovernessError(DurableErrors.stopped, { gkey: g.gkey, reason: formatReason(reason) })
        : new GovernessError(RuntimeErrors.exit, { target: g.gkey, reason: formatReason(reason) }));
    this.waiters.failGovernor(g.gkey, () => error);
    for (const p of g.casts) p.reject(error);
    g.casts.clear();
    this.keyed.forgetGovernor(g.gkey);
    if (g.commitError === null && !g.stopped && !isCleanExit(reason) && !this.closed) this.crashed(g);
    if (!g.stopped) this.hintScanner(g);
  }

  /** A machine crashed handling an event: a refusal receipt, and the scanner backs off from it. */
  private crashed(g: Governor): void {
    const prev = this.crashes.get(g.gkey)?.count ?? 0;
    const count = prev + 1;
    this.rememberCrash(g.gkey, count, Math.min(300_000, 1000 * 2 ** (count - 1)));
    const draft = refusalDraft(g.parts, 'crashed', { durable_version: g.version, crash_count: count });
    // Not awaited by anyone, but the host is not idle until it is stored (a SimulatedClock waits for it).
    this.refusing++;
    void this.ledger
      .append(draft, { keepState: true })
      .catch(() => undefined)
      .finally(() => this.refusing--);
  }

  /**
   * Records a crash (or failed load) whose back-off lasts `backOffMs`. Records are kept in the order of their last
   * crash, so those older than CRASH_MEMORY_MS past their back-off are at the front and go here: the record stays
   * bounded by the governors that crashed in the last hour or so, not every one that ever did.
   */
  private rememberCrash(gkey: string, count: number, backOffMs: number): void {
    const now = this.clock.now();
    this.crashes.delete(gkey);
    this.crashes.set(gkey, { count, until: now + backOffMs });
    for (const [k, c] of this.crashes) {
      if (c.until >= now - CRASH_MEMORY_MS) break;
      this.crashes.delete(k);
    }
  }

  private evict(g: Governor): boolean {
    const pid = g.pid;
    if (pid === null || g.committing || !this.runtime.quiescent(pid)) return false;
    if (this.waiters.waitingOn(g.gkey) > 0 || g.casts.size > 0 || this.arriving.has(g.gkey)) return false;
    this.runtime.evict(pid);
    this.active.remove(g);
    this.counts.passivated++;
    this.hintScanner(g);
    return true;
  }

  /** A governor left memory: make sure the scanner wakes for its earliest timer. */
  private hintScanner(g: Governor): void {
    let due = Infinity;
    for (const r of g.timerRows) if (r.dueMs < due) due = r.dueMs;
    if (due !== Infinity) this.scanner.hint(due);
  }

  /**
   * One clock timer for the whole set, due when the least recently used governor becomes idle (not every
   * `sweepMs` regardless): an idle host arms nothing, so a simulated month passes in a few timer firings.
   */
  private armSweep(): void {
    if (this.closed || this.sweepTimer !== null) return;
    const oldest = this.active.oldest();
    if (oldest === undefined) return;
    const at = Math.max(this.clock.now() + this.sweepMs, oldest.lastUsed + this.idleMs);
    this.sweepTimer = this.clock.schedule(at, this, SWEEP);
  }

  // ---- due timers ----

  private wantedByScanner(gkey: string): boolean {
    if (this.closed || this.active.get(gkey) !== undefined || this.loading.has(gkey)) return false;
    const crash = this.crashes.get(gkey);
    if (crash !== undefined && crash.until > this.clock.now()) return false;
    if (this.unknownReported.has(gkey)) return false;
    return true;
  }

  /**
   * Activates a governor the scanner found due. Its scanned row is used only if no governor left memory since
   * it was read: otherwise this one may have been loaded, stepped and passivated meanwhile, and the scanned
   * row would bring back an older version (whose next step then conflicts with the stored one). Then the row
   * is read again.
   */
  private async activateDue(
    gkey: string,
    row: Readonly<Record<string, SqlValue>>,
    mark: number,
  ): Promise<void> {
    let parts: GkeyParts | null = null;
    try {
      parts = parseGkey(gkey);
      if (!this.defs.has(parts.kind)) {
        this.unknownReported.add(gkey);
        await this.ledger.append(refusalDraft(parts, 'unknown_governor', {}), { keepState: true });
        return;
      }
      await this.activate(gkey, false, mark === this.active.departures ? row : undefined);
    } catch {
      // Quarantine, a stopped governor or a closing host: each already reported where it happened. Skip the
      // gkey for a while so a row that cannot load does not make every scan retry it.
      this.rememberCrash(gkey, 0, 60_000);
    }
  }
}

/** The host operations a keyed call uses (DurableHost.callOps). */
interface KeyedCallOps {
  readonly waiters: ReplyWaiters;
  deliver(gkey: string, request: unknown, target: DurableReply, create: boolean, turn: Turn): Promise<void>;
  /** Loads the governor if it is passive (it holds a deferred reply target). */
  activate(gkey: string): Promise<void>;
}

/**
 * A keyed call between arrival and delivery: one object with methods where three closures per call used to be
 * made (this runs for every keyed call, a durable step's hot path).
 */
class KeyedCall implements KeyedArrival {
  constructor(
    private readonly ops: KeyedCallOps,
    readonly gkey: string,
    readonly parts: GkeyParts,
    readonly key: string,
    readonly hash: string,
    readonly cause: CommandCause,
    private readonly request: unknown,
    private readonly target: DurableReply,
    private readonly create: boolean,
    private readonly timeoutMs: number,
    private readonly turn: Turn,
  ) {}

  join(): Promise<unknown> {
    return this.ops.waiters.wait(this.target.stored, this.gkey, this.timeoutMs);
  }

  fail(err: Error): void {
    this.ops.waiters.fail(this.target.stored, err);
  }

  leave(): void {
    this.turn.release();
  }

  proceed(row: Readonly<Record<string, SqlValue>> | null): Promise<void> {
    if (row === null) return this.ops.deliver(this.gkey, this.request, this.target, this.create, this.turn);
    // Consumed, reply deferred: the governor keeps the reply target in its data and answers it later.
    if (row.reply === null) return this.ops.activate(this.gkey);
    this.ops.waiters.delivered(
      this.target.stored,
      parseCanonical(row.reply as Uint8Array, 'durable_replies.reply'),
    );
    return Promise.resolve();
  }
}
