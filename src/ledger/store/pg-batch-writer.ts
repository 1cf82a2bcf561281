// One PostgreSQL connection that commits ledger batches: the body of PostgresStore.commit, run on the writer
// thread (pg-writer-thread.ts). A batch is one transaction whose receipts go in with one multi-row INSERT built
// from arrays (unnest), so a batch of 256 receipts is a handful of statements, not 256 round trips. The writer
// keeps the log size it last committed and the ledger numbers it knows, so it can check continuity and fill in
// ledger numbers without asking the main thread.
import type pg from 'pg';
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { BoundedCache } from './bounded-cache.js';
import { entryColumns, type EntryColumns } from './entry-columns.js';
import { packBytes, spansOf, type PackedBytes } from './packed-bytes.js';
import { PgSideRows, bytesParam } from './pg-side-rows.js';
import type { SideTables } from './side-tables.js';
import { checkContinuity } from './sql-schema.js';
import type { CommitBatch } from './types.js';

/** Ledger numbers kept in memory (the rest are read back when next appended to). */
const LEDGER_NO_CACHE = 100_000;

/**
 * A CommitBatch as it crosses to the writer thread: the receipts and tiles as columns, their bytes packed in one
 * buffer each (transferred, not copied). Hundreds of small entry objects, each with a view into a shared 64 KiB
 * chunk of receipt bytes, cost more to clone and rebuild than the statements cost to run.
 */
export interface WireBatch {
  readonly entries: EntryColumns;
  /** New ledgers: id, governor, sku, tenant. */
  readonly newLedgers: readonly (readonly [string, string, string, string])[];
  readonly tiles: {
    readonly level: readonly number[];
    readonly index: readonly number[];
    readonly hashes: PackedBytes;
  };
  readonly state: CommitBatch['state'];
  readonly privates: CommitBatch['privates'];
  readonly erase: CommitBatch['erase'];
  readonly rows: CommitBatch['rows'];
}

/** The wire form of `batch` and the buffers to transfer with it. */
export function toWire(batch: CommitBatch): { wire: WireBatch; transfer: ArrayBuffer[] } {
  const entries = entryColumns(batch.entries);
  const hashes = packBytes(batch.tiles.map((t) => t.hashes));
  const wire: WireBatch = {
    entries,
    newLedgers: [...batch.newLedgers].map(([l, p]) => [l, p.governor, p.sku, p.tenant] as const),
    tiles: { level: batch.tiles.map((t) => t.level), index: batch.tiles.map((t) => t.index), hashes },
    state: batch.state,
    privates: batch.privates,
    erase: batch.erase,
    rows: batch.rows,
  };
  const e = entries;
  const transfer = [e.index, e.seq, e.tsMs, e.bytes.bytes, e.bytes.ends, hashes.bytes, hashes.ends].map(
    (a) => a.buffer as ArrayBuffer,
  );
  return { wire, transfer };
}

/** Commits batches on one connection (synchronous_commit = on, search_path set to the store's schema). */
export class PgBatchWriter {
  private readonly sideRows: PgSideRows;
  /** Ledger id → ledger_no, bounded so a long-running host does not keep one entry per ledger ever touched. */
  private readonly ledgerNos = new BoundedCache<string, number>(LEDGER_NO_CACHE);

  constructor(
    private readonly db: pg.Client,
    private readonly tables: SideTables,
    /** The log's size after the last committed batch. */
    private size: number,
    /** The ledger number the next new ledger gets. */
    private nextLedgerNo: number,
    /** Names the store in error messages. */
    private readonly store: string,
  ) {
    this.sideRows = new PgSideRows(tables);
  }

  /** Writes the batch in one transaction; resolves after COMMIT; on failure nothing of it is stored. */
  async commit(batch: WireBatch): Promise<void> {
    const db = this.db;
    const es = batch.entries;
    const count = es.index.length;
    checkContinuity(this.size, es.index, batch.state.size, this.store);
    this.tables.checkAll(batch.rows);
    const added = new Map<string, number>();
    let next = this.nextLedgerNo;
    for (const [ledger] of batch.newLedgers) added.set(ledger, next++);
    try {
      await db.query('BEGIN');
      // The single-writer check made by the database itself: the log must be exactly where this writer believes
      // it is, or nothing of the batch is written.
      const st = await db.query({
        name: 'gov_state',
        text: 'UPDATE gov_log_state SET size = $1, frontier = $2, last_ts = $3 WHERE id = 1 AND size = $4',
        values: [batch.state.size, bytesParam(batch.state.frontier), batch.state.lastTsMs, this.size],
      });
      if (st.rowCount !== 1)
        throw new GovernessError(LedgerErrors.logMoved, { store: this.store, size: this.size });
      if (added.size > 0) {
        const parts = batch.newLedgers;
        await db.query({
          name: 'gov_ledgers',
          text: `INSERT INTO gov_ledgers (ledger_no, ledger, governor, sku, tenant)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])`,
          values: [
            parts.map(([l]) => added.get(l)),
            parts.map(([l]) => l),
            parts.map((p) => p[1]),
            parts.map((p) => p[2]),
            parts.map((p) => p[3]),
          ],
        });
      }
      if (count > 0) {
        const nos: number[] = [];
        for (const l of es.ledger) nos.push(added.get(l) ?? (await this.ledgerNo(l)));
        // The bytes travel as ONE binary parameter cut up by offsets: a bytea[] parameter would be sent as text
        // (hex-escaped), which costs more than the rest of the batch together.
        const spans = spansOf(es.bytes);
        await db.query({
          name: 'gov_receipts',
          text: `INSERT INTO gov_receipts (idx, ledger_no, seq, ts, rid, status, reason, idem, bytes)
                 SELECT r.idx, r.no, r.seq, r.ts, r.rid, r.status, r.reason, r.idem,
                        substring($11::bytea FROM r.off + 1 FOR r.len)
                 FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
                             $7::text[], $8::text[], $9::int[], $10::int[])
                      AS r(idx, no, seq, ts, rid, status, reason, idem, off, len)`,
          values: [
            Array.from(es.index),
            nos,
            Array.from(es.seq),
            Array.from(es.tsMs),
            es.receiptId,
            es.status,
            es.reasonCode,
            es.idempotencyKey,
            spans.offsets,
            spans.lengths,
            bytesParam(es.bytes.bytes),
          ],
        });
      }
      if (batch.tiles.level.length > 0) {
        const spans = spansOf(batch.tiles.hashes);
        await db.query({
          name: 'gov_tiles',
          text: `INSERT INTO gov_tiles (level, idx, hashes)
                 SELECT t.level, t.idx, substring($5::bytea FROM t.off + 1 FOR t.len)
                 FROM unnest($1::int[], $2::bigint[], $3::int[], $4::int[]) AS t(level, idx, off, len)
                 ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes`,
          values: [
            batch.tiles.level,
            batch.tiles.index,
            spans.offsets,
            spans.lengths,
            bytesParam(batch.tiles.hashes.bytes),
          ],
        });
      }
      if (batch.privates.length > 0) {
        await db.query(
          'INSERT INTO gov_private (idx, salt, payload) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])',
          [
            batch.privates.map((p) => p.index),
            batch.privates.map((p) => bytesParam(p.salt)),
            batch.privates.map((p) => bytesParam(p.payload)),
          ],
        );
      }
      if (batch.erase.length > 0) {
        await db.query('DELETE FROM gov_private WHERE idx = ANY($1::bigint[])', [batch.erase]);
      }
      await this.sideRows.apply(db, batch.rows);
      // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK and no error: only this tells them apart.
      const done = await db.query('COMMIT');
      if (done.command !== 'COMMIT')
        throw new Error(`COMMIT answered ${done.command}: the transaction was aborted`);
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      if (err instanceof GovernessError) throw err;
      throw this.failed(err instanceof Error ? err.message : String(err), err);
    }
    for (const [ledger, no] of added) this.ledgerNos.set(ledger, no);
    this.nextLedgerNo = next;
    this.size = batch.state.size;
  }

  private async ledgerNo(ledger: string): Promise<number> {
    const cached = this.ledgerNos.get(ledger);
    if (cached !== undefined) return cached;
    const res = await this.db.query<{ ledger_no: string }>(
      'SELECT ledger_no FROM gov_ledgers WHERE ledger = $1',
      [ledger],
    );
    const row = res.rows[0];
    if (row === undefined)
      throw this.failed(`ledger ${ledger} is not registered (the batch did not declare it new)`);
    const no = Number(row.ledger_no);
    this.ledgerNos.set(ledger, no);
    return no;
  }

  private failed(problem: string, cause?: unknown): GovernessError {
    return new GovernessError(LedgerErrors.storeFailed, { store: this.store, problem }, { cause });
  }
}
