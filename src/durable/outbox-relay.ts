// Delivers committed outbox rows (outbox.ts) after COMMIT, and on start the rows a previous run left behind. A
// governor target gets a keyed cast whose consuming step deletes the row; an external handler runs with the
// delivery key and its outcome is cast back to the source. Permanent failures drop the row with a refusal
// receipt on the source's ledger; anything else is retried with back-off on the clock.
import { DurableErrors, GovernessError, RuntimeErrors, type ErrorSpec } from '../errors/index.js';
import type { Ledger, LedgerStore } from '../ledger/index.js';
import type { Clock } from '../runtime/index.js';
import { parseGkey } from './keys.js';
import {
  EXTERNAL_PREFIX,
  RetryTimer,
  outboxDelete,
  storedOutbox,
  type OutboxEntry,
  type OutboxHandler,
  type OutboxResult,
} from './outbox.js';
import { refusalDraft } from './refusals.js';
import { toStorable } from './storable.js';

/** Delivery errors no retry can cure: the outbox row is dropped with a refusal receipt. */
const PERMANENT: readonly ErrorSpec[] = [
  DurableErrors.stopped,
  DurableErrors.quarantined,
  DurableErrors.unknownGovernor,
  DurableErrors.notFound,
  DurableErrors.idempotencyConflict,
  DurableErrors.snapshotInvalid,
  RuntimeErrors.badArgument,
  RuntimeErrors.migrationFailed,
];

/** Casts `content` to `gkey` with idempotency key `key`, delivering outbox row `outbox`. */
export type OutboxCast = (gkey: string, content: unknown, key: string, outbox: string) => Promise<unknown>;

/** The host's outbox relay. */
export class OutboxRelay {
  private readonly retries: RetryTimer;
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly store: LedgerStore,
    private readonly ledger: Ledger,
    clock: Clock,
    private readonly handlers: Readonly<Record<string, OutboxHandler>>,
    private readonly cast: OutboxCast,
  ) {
    this.retries = new RetryTimer(clock);
  }

  /** True while deliveries are under way. */
  get busy(): boolean {
    return this.inFlight > 0;
  }

  /** Stops: no new deliveries, waiting retries cancelled (their rows stay for the next start). */
  close(): void {
    this.closed = true;
    this.retries.cancelAll();
  }

  /** On start: every outbox row a previous run committed but did not see delivered, oldest first. */
  redeliverStored(): void {
    this.inFlight++;
    void (async () => {
      for await (const e of storedOutbox(this.store)) {
        if (this.closed) return;
        this.deliver(e, 0);
      }
    })()
      .catch(() => undefined)
      .finally(() => this.inFlight--);
  }

  /** Delivers one entry now; retried with back-off (100 ms doubling to 60 s) until it lands or fails for good. */
  deliver(e: OutboxEntry, attempt: number): void {
    if (this.closed) return;
    this.inFlight++;
    void this.deliverOnce(e)
      .catch(async (err: unknown) => {
        if (this.closed) return;
        if (PERMANENT.some((spec) => GovernessError.is(err, spec))) {
          return this.undeliverable(e, err as GovernessError);
        }
        this.retries.after(Math.min(60_000, 100 * 2 ** attempt), () => this.deliver(e, attempt + 1));
      })
      .catch(() => undefined)
      .finally(() => this.inFlight--);
  }

  private async deliverOnce(e: OutboxEntry): Promise<void> {
    if (!e.target.startsWith(EXTERNAL_PREFIX)) {
      await this.cast(e.target, e.payload, e.key, e.key);
      return;
    }
    const handler = e.target.slice(EXTERNAL_PREFIX.length);
    const run = this.handlers[handler];
    let result: OutboxResult;
    if (run === undefined) {
      result = { type: 'outbox_result', handler, key: e.key, ok: false, error: `no handler ${handler}` };
    } else {
      try {
        const value = toStorable(await run(e.payload, e.key), 'result');
        result = { type: 'outbox_result', handler, key: e.key, ok: true, value };
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        result = { type: 'outbox_result', handler, key: e.key, ok: false, error };
      }
    }
    await this.cast(e.gkey, result, `${e.key}:result`, e.key);
  }

  private async undeliverable(e: OutboxEntry, err: GovernessError): Promise<void> {
    await this.ledger.append(
      refusalDraft(parseGkey(e.gkey), 'undeliverable', {
        outbox_key: e.key,
        target: e.target.slice(0, 256),
        error_code: err.code,
      }),
      { keepState: true, rows: [outboxDelete(e.key)] },
    );
  }
}
