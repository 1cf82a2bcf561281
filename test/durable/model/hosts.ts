// The two hosts of the model test. The system under test runs on a store whose power can be cut, passivates on
// its own (short idle time, fewer slots than governors), restarts and crashes. The model is a host on a memory
// store that never passivates, restarts or crashes; both run the same machine on their own SimulatedClock,
// moved by the same amounts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableHost, GOVERNORS_TABLE, type DurableHostOptions } from '../../../src/durable/index.js';
import {
  MemoryStore,
  PostgresStore,
  SqliteStore,
  generateSigner,
  type LedgerStore,
  type NoteSigner,
} from '../../../src/ledger/index.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import { PG_URL, throwawaySchema } from '../../support/postgres.js';
import { queuedAcrossDowntime, type GovernorRow } from './ambiguous.js';
import { modelGovernor } from './machine.js';
import { GOVERNORS, gkeyOf } from './ops.js';
import { PowerCutStore, type CutPlan } from './power-cut-store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The stores the system under test runs on. */
export type SutStoreKind = 'memory' | 'sqlite' | 'postgres';

const COMMON: Omit<DurableHostOptions, 'store' | 'clock' | 'signer'> = {
  definitions: [modelGovernor],
  ledger: { checkpointIntervalMs: 0, groupCommit: { maxDelayMs: 0 } },
  // Callers of postponed calls wait as long as the run lasts (a timeout would be one more thing to model).
  callTimeoutMs: Infinity,
};

/** A host with its clock, settled between operations. */
abstract class Side implements AsyncDisposable {
  readonly clock = new SimulatedClock();
  protected readonly signer: NoteSigner = generateSigner('governess.test/durable-model').signer;

  abstract get host(): DurableHost;

  /** Lets every command, step, commit and due timer at the current time finish. */
  async settle(): Promise<void> {
    await this.host.idle();
    await this.clock.settle();
  }

  /** Moves time forward, firing what falls due. */
  async advance(ms: number): Promise<void> {
    await this.clock.advance(ms);
    await this.settle();
  }

  abstract [Symbol.asyncDispose](): Promise<void>;
}

/** The reference: never passivates, restarts or crashes. */
export class ModelSide extends Side {
  private h: DurableHost | null = null;

  get host(): DurableHost {
    if (this.h === null) throw new Error('model host not open');
    return this.h;
  }

  /** Opens the model host. */
  async open(): Promise<this> {
    this.h = await DurableHost.open({
      ...COMMON,
      store: new MemoryStore(),
      clock: this.clock,
      signer: this.signer,
      idleMs: 1e15,
      scan: { maxSleepMs: 100 * DAY },
    });
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.h?.close();
  }
}

/** The system under test. */
export class SutSide extends Side {
  /** Incremented by every restart and crash: attempts made on an earlier host may have failed. */
  generation = 0;
  /** Transactions that landed with their acknowledgement lost, over all crashes. */
  lostAcks = 0;
  /** Why a reopen made the run one the model cannot match exactly (ambiguous.ts), or null. */
  skip: 'queued' | null = null;
  /** The governor rows as the last host left them. */
  private rows: GovernorRow[] = [];
  /** Activations and passivations of the hosts closed so far. */
  readonly closed = { activations: 0, passivated: 0 };
  private h: DurableHost | null = null;
  private store: PowerCutStore | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'gov-durable-model-'));
  private readonly memory = new MemoryStore();
  private readonly schema = throwawaySchema('gov_model');

  constructor(private readonly kind: SutStoreKind) {
    super();
  }

  get host(): DurableHost {
    if (this.h === null) throw new Error('system under test not open');
    return this.h;
  }

  /** Opens a host over the stored data (a fresh store object over the same database). */
  async open(): Promise<this> {
    const inner: LedgerStore =
      this.kind === 'memory'
        ? this.memory
        : this.kind === 'sqlite'
          ? new SqliteStore({ path: join(this.dir, 'model.sqlite') })
          : new PostgresStore({ connectionString: PG_URL, schema: this.schema });
    this.store = new PowerCutStore(inner);
    this.store.beforeClose = async (s) => {
      this.rows = [];
      for (let g = 0; g < GOVERNORS; g++)
        this.rows.push(await s.getRow(GOVERNORS_TABLE.name, { gkey: gkeyOf(g) }));
    };
    this.h = await DurableHost.open({
      ...COMMON,
      store: this.store,
      clock: this.clock,
      signer: this.signer,
      idleMs: 6 * HOUR,
      // A governor pinned by a waiting caller is looked at again every sweep: every second would be ~100k
      // sweeps per simulated day. Every 6 hours still passivates every idle governor within the run.
      sweepMs: 6 * HOUR,
      maxActive: 3,
      // No hourly safety scan: a passive governor's timer must be found through the scanner's hints.
      scan: { maxSleepMs: 100 * DAY },
    });
    return this;
  }

  /** After a (re)open: the due scan runs now, so timers that fell due while down fire before any command. */
  private async reopen(downMs: number): Promise<void> {
    this.generation++;
    await this.clock.advance(downMs);
    if (this.rows.some((r) => queuedAcrossDowntime(r, downMs))) this.skip ??= 'queued';
    await this.open();
    await this.host.scanDue();
    await this.settle();
  }

  /** Closes cleanly (what is in flight is committed; waiting callers fail), stays down `downMs`, reopens. */
  async restart(downMs: number): Promise<void> {
    this.count();
    await this.host.close();
    await this.reopen(downMs);
  }

  /**
   * Arms the power cut, lets `send` start commands, runs until they are done or the power went, then abandons
   * the host: its store refuses every further transaction before the host is closed, so nothing is flushed.
   */
  async crash(plan: CutPlan, send: () => void, downMs: number): Promise<void> {
    const store = this.store as PowerCutStore;
    store.arm(plan);
    send();
    await Promise.race([this.settle(), store.whenCut]);
    store.cut();
    this.count();
    await this.host.close().catch(() => undefined);
    this.lostAcks += store.lostAcks;
    await this.reopen(downMs);
  }

  private count(): void {
    const s = this.host.stats();
    this.closed.activations += s.activations;
    this.closed.passivated += s.passivated;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.h?.close().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
    if (this.kind === 'postgres')
      await new PostgresStore({ connectionString: PG_URL, schema: this.schema }).dropSchema();
  }
}
