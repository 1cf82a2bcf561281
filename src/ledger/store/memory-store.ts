// The in-memory store: the reference implementation of the store contract, used by tests and by `npm start`
// demos that need no disk. It keeps everything in arrays and maps and commits a batch all or nothing.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { SideTables, conflictError, keyOfWrite, meetsExpectation } from './side-tables.js';
import type {
  CommitBatch,
  LedgerParts,
  LedgerStore,
  ReceiptQuery,
  RowScan,
  RowWrite,
  SqlValue,
  StoredCheckpoint,
  StoredEntry,
  StoredLogState,
  StoredPrivate,
  StoredRecords,
  TableDef,
} from './types.js';
import { matchesQuery, tileKey } from './query.js';
import { checkContinuity } from './sql-schema.js';
import { packStoredRecords } from './stored-records.js';

/** A LedgerStore held in memory; nothing survives the process. */
export class MemoryStore implements LedgerStore {
  readonly kind = 'memory';
  private readonly entries: StoredEntry[] = [];
  private readonly byLedger = new Map<string, StoredEntry[]>();
  private readonly ledgers = new Map<string, LedgerParts>();
  private readonly idem = new Map<string, StoredEntry>();
  private readonly byId = new Map<string, StoredEntry>();
  private readonly tiles = new Map<string, Uint8Array>();
  private readonly privates = new Map<number, StoredPrivate>();
  private readonly checkpoints: StoredCheckpoint[] = [];
  private readonly tables = new SideTables();
  private readonly rows = new Map<string, Map<string, Record<string, SqlValue>>>();
  private state: StoredLogState = { size: 0, frontier: new Uint8Array(0), lastTsMs: 0 };
  /** When set, the next commit fails with this problem (for tests of failed batches). */
  failNextCommit: string | null = null;

  async open(): Promise<StoredLogState> {
    for (const def of this.tables.all()) if (!this.rows.has(def.name)) this.rows.set(def.name, new Map());
    return this.state;
  }

  checkRows(rows: readonly RowWrite[]): void {
    this.tables.checkAll(rows);
  }

  defineTable(def: TableDef): void {
    this.tables.define(def);
  }

  async commit(batch: CommitBatch): Promise<void> {
    // Validate everything first so a bad batch changes nothing (all or nothing, like a transaction).
    if (this.failNextCommit !== null) {
      const problem = this.failNextCommit;
      this.failNextCommit = null;
      throw new GovernessError(LedgerErrors.storeFailed, { store: 'memory', problem });
    }
    checkContinuity(
      this.state.size,
      batch.entries.map((e) => e.index),
      batch.state.size,
      'memory',
    );
    this.tables.checkAll(batch.rows);
    this.checkUnique(batch);
    const rowChanges = this.stageRows(batch.rows);
    for (const [ledger, parts] of batch.newLedgers) this.ledgers.set(ledger, parts);
    for (const e of batch.entries) {
      this.entries.push(e);
      let list = this.byLedger.get(e.ledger);
      if (list === undefined) this.byLedger.set(e.ledger, (list = []));
      list.push(e);
      this.byId.set(e.receiptId, e);
      if (e.idempotencyKey !== null) this.idem.set(`${e.ledger}\n${e.idempotencyKey}`, e);
    }
    for (const t of batch.tiles) this.tiles.set(tileKey(t.level, t.index), t.hashes);
    for (const p of batch.privates) this.privates.set(p.index, p);
    for (const i of batch.erase) this.privates.delete(i);
    for (const [table, changes] of rowChanges) {
      const stored = this.rows.get(table) as Map<string, Record<string, SqlValue>>;
      for (const [key, row] of changes) {
        if (row === null) stored.delete(key);
        else stored.set(key, row);
      }
    }
    this.state = batch.state;
  }

  /**
   * The side-table writes as final rows per table and key (null = deleted), checking every expectation against
   * the rows as the batch's earlier writes left them; a failed one throws before anything is stored. An upsert
   * sets only the columns it names, like the SQL stores' INSERT … ON CONFLICT DO UPDATE.
   */
  private stageRows(writes: readonly RowWrite[]): Map<string, Map<string, Record<string, SqlValue> | null>> {
    const staged = new Map<string, Map<string, Record<string, SqlValue> | null>>();
    for (const w of writes) {
      const def = this.tables.get(w.table);
      const key = keyOfWrite(def, w);
      const k = this.tables.keyOf(w.table, key);
      let changes = staged.get(w.table);
      if (changes === undefined) staged.set(w.table, (changes = new Map()));
      const current = changes.has(k) ? (changes.get(k) ?? null) : (this.rows.get(w.table)?.get(k) ?? null);
      if (w.expect !== undefined) {
        const found = current === null ? undefined : (current[w.expect.column] ?? null);
        if (!meetsExpectation(w.expect, found)) throw conflictError(w.table, key, w.expect, found);
      }
      if (w.op === 'delete') changes.set(k, null);
      else if (w.op === 'upsert') {
        const blank = Object.fromEntries(Object.keys(def.columns).map((c) => [c, null]));
        changes.set(k, { ...(current ?? blank), ...w.row });
      }
    }
    return staged;
  }

  // The same uniqueness rules the SQL stores get from their unique indexes.
  private checkUnique(batch: CommitBatch): void {
    const ids = new Set<string>();
    const seqs = new Set<string>();
    const keys = new Set<string>();
    const fail = (problem: string): never => {
      throw new GovernessError(LedgerErrors.storeFailed, { store: 'memory', problem });
    };
    for (const e of batch.entries) {
      if (this.byId.has(e.receiptId) || ids.has(e.receiptId)) fail(`duplicate receipt_id ${e.receiptId}`);
      ids.add(e.receiptId);
      const last = this.byLedger.get(e.ledger)?.length ?? 0;
      const seqKey = `${e.ledger}\n${e.seq}`;
      if (e.seq <= last || seqs.has(seqKey)) fail(`duplicate seq ${e.seq} in ledger ${e.ledger}`);
      seqs.add(seqKey);
      if (!this.ledgers.has(e.ledger) && !batch.newLedgers.has(e.ledger)) {
        fail(`ledger ${e.ledger} is not registered (the batch did not declare it new)`);
      }
      if (e.idempotencyKey !== null) {
        const k = `${e.ledger}\n${e.idempotencyKey}`;
        if (this.idem.has(k) || keys.has(k)) fail(`duplicate idempotency key in ledger ${e.ledger}`);
        keys.add(k);
      }
    }
  }

  async lastOfLedger(ledger: string): Promise<StoredEntry | null> {
    const list = this.byLedger.get(ledger);
    return list === undefined || list.length === 0 ? null : (list[list.length - 1] as StoredEntry);
  }

  async findByIdempotencyKey(ledger: string, key: string): Promise<StoredEntry | null> {
    return this.idem.get(`${ledger}\n${key}`) ?? null;
  }

  async findByReceiptId(receiptId: string): Promise<StoredEntry | null> {
    return this.byId.get(receiptId) ?? null;
  }

  async readRange(from: number, to: number): Promise<StoredEntry[]> {
    return this.entries.slice(Math.max(0, from), Math.max(0, to));
  }

  async readRecords(from: number, to: number): Promise<StoredRecords> {
    return packStoredRecords(this.entries.slice(Math.max(0, from), Math.max(0, to)));
  }

  async readLedger(ledger: string, fromSeq: number, limit: number): Promise<StoredEntry[]> {
    const list = this.byLedger.get(ledger) ?? [];
    return list.slice(Math.max(0, fromSeq - 1), Math.max(0, fromSeq - 1) + limit);
  }

  async query(q: ReceiptQuery): Promise<StoredEntry[]> {
    const out: StoredEntry[] = [];
    const source = q.ledger !== undefined ? (this.byLedger.get(q.ledger) ?? []) : this.entries;
    for (const e of source) {
      if (out.length >= q.limit) break;
      if (matchesQuery(e, this.ledgers.get(e.ledger), q)) out.push(e);
    }
    return out;
  }

  async readTiles(ids: readonly { level: number; index: number }[]): Promise<(Uint8Array | null)[]> {
    return ids.map((id) => this.tiles.get(tileKey(id.level, id.index)) ?? null);
  }

  async saveCheckpoint(cp: StoredCheckpoint): Promise<void> {
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (last !== undefined && cp.size <= last.size) {
      throw new GovernessError(LedgerErrors.storeFailed, {
        store: 'memory',
        problem: `checkpoint size ${cp.size} is not above the latest (${last.size})`,
      });
    }
    this.checkpoints.push(cp);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return this.checkpoints[this.checkpoints.length - 1] ?? null;
  }

  async readPrivate(index: number): Promise<StoredPrivate | null> {
    return this.privates.get(index) ?? null;
  }

  async getRow(
    table: string,
    key: Readonly<Record<string, SqlValue>>,
  ): Promise<Record<string, SqlValue> | null> {
    const row = this.rows.get(table)?.get(this.tables.keyOf(table, key));
    return row === undefined ? null : { ...row };
  }

  async getRows(
    table: string,
    keys: readonly Readonly<Record<string, SqlValue>>[],
  ): Promise<(Record<string, SqlValue> | null)[]> {
    return Promise.all(keys.map((k) => this.getRow(table, k)));
  }

  async scanRows(table: string, q: RowScan): Promise<Record<string, SqlValue>[]> {
    const def = this.tables.checkScan(table, q);
    const pk = def.primaryKey[0] as string;
    const at = (r: Record<string, SqlValue>): [number, string] => [r[q.column] as number, r[pk] as string];
    const after = (r: Record<string, SqlValue>): boolean => {
      if (q.after === undefined) return true;
      const [v, id] = at(r);
      return v > q.after[0] || (v === q.after[0] && id > q.after[1]);
    };
    const rows = [...(this.rows.get(table)?.values() ?? [])].filter((r) => {
      const v = r[q.column];
      return typeof v === 'number' && v <= q.upTo && after(r);
    });
    // Keys compared by UTF-16 code unit, which is byte order for the ASCII keys side tables use.
    rows.sort((a, b) => {
      const [av, ak] = at(a);
      const [bv, bk] = at(b);
      return av !== bv ? av - bv : ak < bk ? -1 : ak > bk ? 1 : 0;
    });
    return rows.slice(0, q.limit).map((r) => ({ ...r }));
  }

  async close(): Promise<void> {}
}
