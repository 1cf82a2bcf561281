// Commands to one governor reach its mailbox in the order they reached the host (docs/durable/guarantees.md §4),
// as messages from one sender reach an Erlang process in the order they were sent. A keyed command first reads
// its reply row, and on PostgreSQL those reads run on a pool, so one that arrived later could otherwise finish
// its read first and be delivered first; a command without a key, which reads nothing, would overtake them all.
// Each command takes a turn on arrival; it may deliver once every earlier turn of its governor is over.

/** The order of arrival of the commands of every governor of one host. */
export class ArrivalOrder {
  /** The latest turn of each governor with a turn not yet over. */
  private readonly latest = new Map<string, Turn>();

  /** A new command for `gkey`: its turn, after every earlier one. */
  enter(gkey: string): Turn {
    const t = new Turn(this, gkey, this.latest.get(gkey) ?? null);
    this.latest.set(gkey, t);
    return t;
  }

  /** Governors with a turn not yet over (statistics, tests). */
  get size(): number {
    return this.latest.size;
  }

  /** @internal a turn is over: if it is its governor's latest, nothing waits any more. */
  over(t: Turn): void {
    if (this.latest.get(t.gkey) === t) this.latest.delete(t.gkey);
  }
}

/** One command's place in its governor's order of arrival. */
export class Turn {
  /** This command delivered, or will deliver nothing. */
  private done = false;
  /** Done, and so is every earlier turn: later ones may go. */
  private isOver = false;
  private prev: Turn | null;
  private next: Turn | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private readonly order: ArrivalOrder,
    /** The governor. */
    readonly gkey: string,
    prev: Turn | null,
  ) {
    this.prev = prev;
    if (prev !== null) prev.next = this;
  }

  /** Null when the command may deliver now; else a promise that resolves when it may. */
  ready(): Promise<void> | null {
    if (this.prev === null) return null;
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  /** The command is in the mailbox, or will deliver nothing (answered, joined, refused, failed). Idempotent. */
  release(): void {
    if (this.done) return;
    this.done = true;
    if (this.prev === null) this.end();
  }

  /** Ends this turn and every later one already done; wakes the first later one still to deliver. */
  private end(): void {
    // A loop, not recursion: a long run of turns that delivered nothing ends in one pass.
    let n = this.finish();
    while (n?.done === true) n = n.finish();
  }

  /** Ends this turn alone; returns the next one, now free to go (woken if it waits), or null. */
  private finish(): Turn | null {
    this.isOver = true;
    this.order.over(this);
    const n = this.next;
    this.next = null;
    if (n === null) return null;
    n.prev = null;
    const wake = n.wake;
    n.wake = null;
    wake?.();
    return n;
  }

  /** True once this turn and every earlier one are over. */
  get over(): boolean {
    return this.isOver;
  }
}
