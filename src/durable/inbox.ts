// Idempotency keys (docs/durable/guarantees.md §4): a command with a key is applied at most once per governor.
// A retry while the first is still in flight here joins it; a retry after its step was committed is answered
// from the `durable_replies` row that step wrote; the same key with a different request is refused, with a
// receipt, without touching the governor. The ledger's unique (ledger, idempotency key) index is the last guard.
import { DurableErrors, GovernessError, RuntimeErrors } from '../errors/index.js';
import { canonicalBytes } from '../ledger/canonical/index.js';
import { sha256 } from '../ledger/merkle/index.js';
import type { Ledger, LedgerStore, ReceiptCause, SqlValue } from '../ledger/index.js';
import type { Clock } from '../runtime/index.js';
import { shortHash } from './durable-reply.js';
import type { GkeyParts } from './keys.js';
import { refusalDraft } from './refusals.js';
import { RowBatcher } from './row-batcher.js';
import { REPLIES_TABLE } from './tables.js';

const MAX_TEXT = 256;

/** A key, request id or actor: absent, or 1..256 characters; throws GOV_BAD_ARGUMENT naming `argument`. */
export function checkText(value: unknown, argument: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) {
    throw new GovernessError(RuntimeErrors.badArgument, {
      argument,
      problem: `must be a string of 1..${MAX_TEXT} characters`,
    });
  }
  return value;
}

/** Hex of the first 128 bits of SHA-256 of the canonical request: what "the same request" means under a key. */
export function requestHash(request: unknown): string {
  return shortHash(sha256(canonicalBytes(request)));
}

/** One keyed command as it arrives. */
export interface KeyedArrival {
  readonly gkey: string;
  readonly parts: GkeyParts;
  readonly key: string;
  readonly hash: string;
  /** For the refusal receipt of a conflicting reuse. */
  readonly cause: Omit<ReceiptCause, 'idempotency_key'>;
  /** Waits for this command's outcome (called once for the first arrival, once per joining retry). */
  join(): Promise<unknown>;
  /** Fails whoever waits (the lookup or the delivery failed). */
  fail(err: Error): void;
  /** Goes on with the stored reply row, or null when the key is new (then it is delivered). */
  proceed(row: Readonly<Record<string, SqlValue>> | null): Promise<void>;
  /** Gives up its place in its governor's order of arrival: it will deliver nothing (see ArrivalOrder). */
  leave(): void;
}

/** The keyed commands of one host. */
export class KeyedCommands {
  /** The first arrival of each command between arrival and commit, by `gkey \n key`: retries join it. */
  private readonly inFlight = new Map<string, KeyedArrival>();
  private lookups = 0;
  private readonly replies: RowBatcher;

  constructor(
    store: LedgerStore,
    private readonly ledger: Ledger,
    clock: Clock,
  ) {
    this.replies = new RowBatcher(store, REPLIES_TABLE.name, clock);
  }

  /** True while a keyed command is between arrival and delivery (reading its reply row). */
  get busy(): boolean {
    return this.lookups > 0;
  }

  /** Runs a keyed command at most once; returns what `join` returns for it. */
  run(c: KeyedArrival): Promise<unknown> {
    const k = `${c.gkey}\n${c.key}`;
    const first = this.inFlight.get(k);
    if (first !== undefined) {
      c.leave();
      return first.hash === c.hash ? first.join() : this.conflict(c);
    }
    this.inFlight.set(k, c);
    const result = c.join();
    this.lookups++;
    // Two reactions, no async function: this runs for every keyed command (a durable step's hot path).
    this.replies
      .get({ gkey: c.gkey, idem_key: c.key })
      .then((row) => this.found(c, k, row))
      .then(
        () => {
          this.lookups--;
        },
        (err: unknown) => {
          this.lookups--;
          this.forget(k, c);
          c.leave();
          c.fail(err instanceof Error ? err : new Error(String(err)));
        },
      );
    return result;
  }

  /** Goes on once the reply row was read: a stored row answers (or conflicts with) the command. */
  private found(c: KeyedArrival, k: string, row: Readonly<Record<string, SqlValue>> | null): Promise<void> {
    if (row !== null) {
      this.forget(k, c);
      c.leave();
      if (Buffer.from(row.req_hash as Uint8Array).toString('hex') !== c.hash) return this.conflict(c);
    }
    return c.proceed(row);
  }

  private forget(k: string, entry: KeyedArrival): void {
    if (this.inFlight.get(k) === entry) this.inFlight.delete(k);
  }

  /**
   * Forgets a finished command: the step consuming a keyed call was committed (its reply row now answers
   * retries), or a keyed cast was settled.
   */
  done(gkey: string, key: string): void {
    this.inFlight.delete(`${gkey}\n${key}`);
  }

  /** Forgets every command of a governor whose process ended (its callers were failed). */
  forgetGovernor(gkey: string): void {
    for (const k of [...this.inFlight.keys()]) if (k.startsWith(`${gkey}\n`)) this.inFlight.delete(k);
  }

  /** GOV_IDEMPOTENCY_CONFLICT, after a refusal receipt; the governor itself is not touched. */
  private async conflict(c: KeyedArrival): Promise<never> {
    const draft = refusalDraft(
      c.parts,
      'idempotency_conflict',
      { conflicting_key: c.key },
      { cause: { ...c.cause, idempotency_key: null } },
    );
    await this.ledger.append(draft, { keepState: true });
    throw new GovernessError(DurableErrors.idempotencyConflict, { gkey: c.gkey, key: c.key });
  }
}
