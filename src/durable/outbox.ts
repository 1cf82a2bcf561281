// Effects that leave a durable governor (docs/durable/design.md §1.6). A cast to another governor, or a call to
// the outside world, is written as an outbox row in the same transaction as the step that made it, and relayed
// only after COMMIT. The delivery carries the idempotency key `<gkey>:<version>:<n>`, and the step that consumes
// it deletes the row in its own transaction, so a governor-to-governor cast is applied exactly once even across
// crashes; an external handler runs at least once with that key, and its result comes back as a keyed cast.
import { canonicalBytes, parseCanonical } from '../ledger/canonical/index.js';
import type { LedgerStore, RowWrite, SqlValue } from '../ledger/index.js';
import {
  castTo,
  type Action,
  type Clock,
  type MachineTypes,
  type Pid,
  type ProcessName,
  type TimerHandle,
  type ViaRegistry,
} from '../runtime/index.js';
import { toStorable } from './storable.js';
import { OUTBOX_TABLE } from './tables.js';

/** Prefix of an outbox target that names an external handler instead of a governor. */
export const EXTERNAL_PREFIX = 'ext:';

// A registry that resolves nothing: the runtime's own release of a cast to a durable target is then a no-op,
// and the relay alone delivers it, from the committed outbox row.
const DURABLE_VIA: ViaRegistry = Object.freeze({
  register(): Pid | null {
    return null;
  },
  unregister(): void {},
  whereis(): Pid | undefined {
    return undefined;
  },
});

/** The address of another durable governor, for `castTo` in a durable machine. */
export function durableTarget(gkey: string): ProcessName {
  return { via: DURABLE_VIA, name: gkey };
}

/** The key of the `n`-th effect of the step that committed `version` of `gkey`: row key and idempotency key. */
export function outboxKey(gkey: string, version: number, n: number): string {
  return `${gkey}:${version}:${n}`;
}

/** A cast to another durable governor, delivered exactly once after this step commits. */
export function castGovernor<T extends MachineTypes>(gkey: string, content: unknown): Action<T> {
  return castTo(durableTarget(gkey), content) as Action<T>;
}

/**
 * A call to the outside world through the host's handler `handler`, made at least once after this step commits
 * with an idempotency key; the result returns as a cast `{ type: 'outbox_result', handler, key, ok, value|error }`.
 */
export function callOut<T extends MachineTypes>(handler: string, payload: unknown): Action<T> {
  return castTo(durableTarget(`${EXTERNAL_PREFIX}${handler}`), payload) as Action<T>;
}

/** What an external handler's result looks like when it comes back to the governor. */
export interface OutboxResult {
  readonly type: 'outbox_result';
  readonly handler: string;
  /** The delivery's idempotency key. */
  readonly key: string;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

/** An external effect: runs at least once per key; must be idempotent on `key`. */
export type OutboxHandler = (payload: unknown, key: string) => Promise<unknown>;

/** One committed outbox row. */
export interface OutboxEntry {
  /** `<gkey>:<version>:<n>`: the delivery's idempotency key and the row's key. */
  readonly key: string;
  /** The governor that made the effect. */
  readonly gkey: string;
  readonly version: number;
  readonly n: number;
  /** A gkey, or `ext:<handler>`. */
  readonly target: string;
  readonly payload: unknown;
}

/** The durable address inside an effect, or null when the effect is not a durable cast. */
export function durableAddress(effect: Action<MachineTypes>): string | null {
  if (effect.type !== 'cast' && effect.type !== 'send') return null;
  const to = effect.to as { via?: unknown; name?: unknown };
  return typeof to === 'object' && to !== null && to.via === DURABLE_VIA && typeof to.name === 'string'
    ? to.name
    : null;
}

/** The outbox entries of a step's effects and their rows (payloads checked storable, naming the effect). */
export function outboxOf(
  gkey: string,
  version: number,
  effects: readonly Action<MachineTypes>[],
  wallNow: number,
): { entries: OutboxEntry[]; rows: RowWrite[] } {
  const entries: OutboxEntry[] = [];
  const rows: RowWrite[] = [];
  effects.forEach((e, n) => {
    const target = durableAddress(e);
    if (target === null) return;
    const payload = toStorable((e as { content: unknown }).content, `effects[${n}].content`);
    const key = outboxKey(gkey, version, n);
    entries.push({ key, gkey, version, n, target, payload });
    rows.push({
      table: OUTBOX_TABLE.name,
      op: 'upsert',
      row: {
        idem_key: key,
        gkey,
        version,
        n,
        target,
        payload: canonicalBytes(payload, `/effects/${n}`),
        created_ms: Math.floor(wallNow),
      },
    });
  });
  return { entries, rows };
}

/** The write that removes a delivered outbox row (in the consuming step's transaction). */
export function outboxDelete(key: string): RowWrite {
  return { table: OUTBOX_TABLE.name, op: 'delete', key: { idem_key: key } };
}

function entryOf(row: Readonly<Record<string, SqlValue>>): OutboxEntry {
  return {
    key: row.idem_key as string,
    gkey: row.gkey as string,
    version: row.version as number,
    n: row.n as number,
    target: row.target as string,
    payload: parseCanonical(row.payload as Uint8Array, `durable_outbox ${String(row.idem_key)}`),
  };
}

/** Every outbox row still stored, oldest first, page by page (the relay's start-up read). */
export async function* storedOutbox(store: LedgerStore, page = 512): AsyncGenerator<OutboxEntry> {
  let after: [number, string] | undefined;
  for (;;) {
    const rows = await store.scanRows(OUTBOX_TABLE.name, {
      column: 'created_ms',
      upTo: Number.MAX_SAFE_INTEGER,
      limit: page,
      ...(after === undefined ? {} : { after }),
    });
    for (const row of rows) yield entryOf(row);
    const last = rows[rows.length - 1];
    if (rows.length < page || last === undefined) return;
    after = [last.created_ms as number, last.idem_key as string];
  }
}

/** Retries of a transiently failed delivery, on the clock; cancelled together when the host closes. */
export class RetryTimer {
  private readonly waiting = new Map<number, { fn: () => void; handle: TimerHandle }>();
  private next = 0;

  constructor(private readonly clock: Clock) {}

  /** Runs `fn` after `ms`. */
  after(ms: number, fn: () => void): void {
    const token = this.next++;
    this.waiting.set(token, { fn, handle: this.clock.schedule(this.clock.now() + ms, this, token) });
  }

  onTimer(token: number): void {
    const w = this.waiting.get(token);
    this.waiting.delete(token);
    w?.fn();
  }

  /** Cancels every waiting retry. */
  cancelAll(): void {
    for (const w of this.waiting.values()) this.clock.cancel(w.handle);
    this.waiting.clear();
  }
}
