// Point reads of one side table, gathered per macrotask into one `getRows` round trip. A host under load makes
// hundreds of such reads at once (each keyed command reads its reply row, each activation its governor row);
// one statement for the lot costs a fraction of hundreds, on PostgreSQL above all, where each is a round trip.
import type { LedgerStore, SqlValue } from '../ledger/index.js';
import type { Clock } from '../runtime/index.js';

interface Wanted {
  readonly key: Readonly<Record<string, SqlValue>>;
  readonly resolve: (row: Record<string, SqlValue> | null) => void;
  readonly reject: (err: unknown) => void;
}

/** Batched point reads of one side table. */
export class RowBatcher {
  private pending: Wanted[] = [];
  private scheduled = false;

  constructor(
    private readonly store: LedgerStore,
    private readonly table: string,
    private readonly clock: Clock,
    private readonly max = 512,
  ) {}

  /** The row with this primary key, or null; read with the other reads of this macrotask. */
  get(key: Readonly<Record<string, SqlValue>>): Promise<Record<string, SqlValue> | null> {
    return new Promise((resolve, reject) => {
      this.pending.push({ key, resolve, reject });
      if (this.pending.length >= this.max) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        this.clock.defer(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.store
      .getRows(
        this.table,
        batch.map((w) => w.key),
      )
      .then(
        (rows) => batch.forEach((w, i) => w.resolve(rows[i] ?? null)),
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      );
  }
}
