// What the durable crash-test child prints, one JSON object per stdout line, and how the parent reads it. Shared
// by the child (child.ts) and the parent, so both agree on every field.

/** One keyed command: add `n` to governor `g`, applied at most once under idempotency key `k`. */
export interface Command {
  readonly g: string;
  readonly k: string;
  readonly n: number;
}

/** How an acknowledged command was sent: first time, retried after a kill, or re-sent after its own ack. */
export type AckHow = 'new' | 'retry' | 'resend' | 'conflict';

/** Host counters a run reports. */
export interface HostCounts {
  readonly created: number;
  readonly activations: number;
  readonly passivated: number;
  readonly steps: number;
}

/** A line the child prints. */
export type ChildEvent =
  | { readonly t: 'opening' }
  | { readonly t: 'ready' }
  /** The host's counters, printed now and then (the last before the kill tells what the run did). */
  | ({ readonly t: 'stats' } & HostCounts)
  /** A new command is about to be sent (so the parent can retry it if no ack comes). */
  | ({ readonly t: 'send' } & Command)
  /** The call resolved with reply `r` (printed only after the promise resolved: after COMMIT). */
  | ({ readonly t: 'ack'; readonly how: AckHow; readonly r: number } & Command)
  /** An acknowledged key re-sent with a different `n` was refused with GOV_IDEMPOTENCY_CONFLICT. */
  | ({ readonly t: 'refused' } & Command)
  /** The call rejected; the child sends it again later with the same key. */
  | ({ readonly t: 'failed'; readonly error: string } & Command);

const TYPES: ReadonlySet<string> = new Set(['opening', 'ready', 'stats', 'send', 'ack', 'refused', 'failed']);

/** Parses one complete stdout line of the child; throws naming the line when it is not a child event. */
export function parseChildEvent(line: string): ChildEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(
      `the durable child printed a line that is not JSON: ${JSON.stringify(line.slice(0, 200))}`,
    );
  }
  const t = (value as { t?: unknown } | null)?.t;
  if (typeof t !== 'string' || !TYPES.has(t)) {
    throw new Error(`the durable child printed an unknown event: ${JSON.stringify(line.slice(0, 200))}`);
  }
  return value as ChildEvent;
}
