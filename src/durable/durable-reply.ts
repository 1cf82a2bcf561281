// The reply target of a call made through a durable host (docs/durable/design.md §1.5). Unlike the runtime's
// PendingCall it is data the governor may keep: stored in a snapshot as `{ "$reply": "<gkey>#<tag>" }` and loaded
// again as an equal object. Waiting callers are kept by the host under that stored name, not in the object, so
// whichever copy the machine finally replies to (the original, or one loaded after passivation or a crash)
// reaches them, and a keyed reply is written to `durable_replies` by the step that gives it.
import type { ReceiptCause } from '../ledger/index.js';
import { ReplyTarget } from '../runtime/index.js';
import { refuseAt } from './storable.js';

/** Who asked, for the receipt of the step that consumes the command. */
export type CommandCause = Omit<ReceiptCause, 'idempotency_key'>;

/** Where replies go once the step that gives them is committed: the host's table of waiting callers. */
export interface ReplySink {
  /** Resolves every caller waiting under `stored`. */
  delivered(stored: string, value: unknown): void;
}

/** No request id, no actor. */
export const NO_CAUSE: CommandCause = Object.freeze({ request_id: null, actor: null });

const HASH_HEX = 32;

/** A call's reply target that can be stored in a governor's data and loaded again. */
export class DurableReply extends ReplyTarget {
  /** True once a committed step has consumed the call (its key is in that step's receipt). */
  consumed: boolean;

  private constructor(
    private readonly sink: ReplySink,
    /** The governor the call went to. */
    readonly gkey: string,
    /** `k:<request hash>:<key>` for a keyed call, `s:<host run>.<n>` otherwise. */
    readonly tag: string,
    /** The idempotency key, or null. */
    readonly key: string | null,
    /** Hex of the first 128 bits of SHA-256 of the canonical request (keyed calls), else null. */
    readonly reqHash: string | null,
    /** Request id and actor for the consuming step's receipt. */
    readonly cause: CommandCause,
    consumed: boolean,
  ) {
    super();
    this.consumed = consumed;
  }

  /** A keyed call not yet consumed. */
  static keyed(
    sink: ReplySink,
    gkey: string,
    key: string,
    reqHash: string,
    cause: CommandCause,
  ): DurableReply {
    return new DurableReply(sink, gkey, `k:${reqHash}:${key}`, key, reqHash, cause, false);
  }

  /** A call without a key; `serial` is unique per host run. */
  static unkeyed(sink: ReplySink, gkey: string, serial: string, cause: CommandCause): DurableReply {
    return new DurableReply(sink, gkey, `s:${serial}`, null, null, cause, false);
  }

  /** The reply target a stored `<gkey>#<tag>` stands for (already consumed: it was in a committed snapshot). */
  static load(sink: ReplySink, stored: string, path: string): DurableReply {
    const hash = stored.indexOf('#');
    if (hash <= 0) return refuseAt(path, `${JSON.stringify(stored.slice(0, 80))} is not <gkey>#<tag>`);
    const gkey = stored.slice(0, hash);
    const tag = stored.slice(hash + 1);
    if (tag.startsWith('s:') && tag.length > 2)
      return new DurableReply(sink, gkey, tag, null, null, NO_CAUSE, true);
    const m = /^k:([0-9a-f]{32}):(.+)$/s.exec(tag);
    if (m === null)
      return refuseAt(path, `${JSON.stringify(tag.slice(0, 80))} is not a reply tag k:… or s:…`);
    return new DurableReply(sink, gkey, tag, m[2] as string, m[1] as string, NO_CAUSE, true);
  }

  /** The stored form, `<gkey>#<tag>`: also the name callers wait under. */
  get stored(): string {
    return `${this.gkey}#${this.tag}`;
  }

  /** Called by the runtime once the step that replies is committed. */
  deliverReply(value: unknown): void {
    this.sink.delivered(this.stored, value);
  }
}

/** Hex of the first 128 bits of a SHA-256 digest (how requests are compared under one idempotency key). */
export function shortHash(digest: Uint8Array): string {
  return Buffer.from(digest.subarray(0, HASH_HEX / 2)).toString('hex');
}
