// "The log is committed up to size N", for followers that wait for new receipts without polling. The ledger feeds
// `listener` the committed log size after every commit (the shape of the Sequencer's onCommit listener); a waiter
// asks to be woken once the size passes a value, and stops waiting when its AbortSignal fires or the ledger closes.

interface Waiter {
  readonly beyond: number;
  readonly wake: (committed: boolean) => void;
}

/** Wakes waiters when the committed log size passes what they saw. */
export class CommitSignal {
  private committed: number;
  private closed = false;
  private readonly waiters = new Set<Waiter>();

  /** Starts at the log size already committed. */
  constructor(size: number) {
    this.committed = size;
  }

  /** The committed log size last announced. */
  get size(): number {
    return this.committed;
  }

  /** Announces that the log is committed up to `size` (a listener: pass it to Sequencer.onCommit). */
  readonly listener = (size: number): void => {
    if (size <= this.committed) return;
    this.committed = size;
    for (const w of this.waiters) {
      if (size > w.beyond) {
        this.waiters.delete(w);
        w.wake(true);
      }
    }
  };

  /**
   * Resolves true once the committed size is greater than `beyond`; false when `signal` fires or the signal is
   * closed first.
   */
  wait(beyond: number, signal?: AbortSignal): Promise<boolean> {
    if (this.committed > beyond) return Promise.resolve(true);
    if (this.closed || signal?.aborted === true) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const onAbort = (): void => waiter.wake(false);
      const waiter: Waiter = {
        beyond,
        wake: (committed) => {
          this.waiters.delete(waiter);
          signal?.removeEventListener('abort', onAbort);
          resolve(committed);
        },
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Ends every wait (the ledger is closing). */
  close(): void {
    this.closed = true;
    for (const w of [...this.waiters]) w.wake(false);
  }
}
