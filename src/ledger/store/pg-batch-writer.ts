// One PostgreSQL connection that commits ledger batches: the body of PostgresStore.commit, run on the writer
// thread (pg-writer-thread.ts). A batch is one transaction of a handful of statements over arrays (unnest;
// pg-piece.ts), so a batch of 256 receipts is not 256 round trips. The writer keeps the log size it last
// committed and the ledger numbers it knows, so it can check continuity and fill in ledger numbers without asking
// the main thread.
import type pg from 'pg';
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import { BoundedCache } from './bounded-cache.js';
import { entryColumns, type EntryColumns } from './entry-columns.js';
import { packBytes, spansOf, type PackedBytes } from './packed-bytes.js';
import { Params, meets, type PgPiece } from './pg-piece.js';
import { bytesParam, firstConflict, sidePieces, type SidePiece } from './pg-side-rows.js';
import type { SideTables } from './side-tables.js';
import { checkContinuity } from './sql-schema.js';
import type { CommitBatch } from './types.js';

/** Ledger numbers kept in memory (the rest are read back when next appended to). */
const LEDGER_NO_CACHE = 100_000;

/** At most this many named prepared statements (one per statement text); further texts are parsed each time. */
const MAX_NAMED = 256;

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
  /** Ledger id → ledger_no, bounded so a long-running host does not keep one entry per ledger ever touched. */
  private readonly ledgerNos = new BoundedCache<string, number>(LEDGER_NO_CACHE);
  /** Statement text → prepared statement name. */
  private readonly names = new Map<string, string>();

  constructor(
    private db: pg.Client,
    private readonly tables: SideTables,
    /** The log's size after the last committed batch. */
    private size: number,
    /** The ledger number the next new ledger gets. */
    private nextLedgerNo: number,
    /** Names the store in error messages. */
    private readonly store: string,
  ) {}

  /**
   * Goes on on another connection (the last one broke between commits). The log size and ledger numbers carry
   * over; `pg` prepares the named statements again on the new connection as they are first used.
   */
  useConnection(db: pg.Client): void {
    this.db = db;
  }

  /** Writes the batch in one transaction; resolves after COMMIT; on failure nothing of it is stored. */
  async commit(batch: WireBatch): Promise<void> {
    const es = batch.entries;
    checkContinuity(this.size, es.index, batch.state.size, this.store);
    this.tables.checkAll(batch.rows);
    const added = new Map<string, number>();
    let next = this.nextLedgerNo;
    for (const [ledger] of batch.newLedgers) added.set(ledger, next++);
    const segments = sidePieces(this.tables, batch.rows);
    try {
      const nos: number[] = [];
      for (const l of es.ledger) nos.push(added.get(l) ?? (await this.ledgerNo(l)));
      const ledgerPieces = this.ledgerPieces(batch, added, nos);
      await this.inTransaction(ledgerPieces, segments);
    } catch (err) {
      if (err instanceof GovernessError) throw err;
      throw this.failed(err instanceof Error ? err.message : String(err), err);
    }
    for (const [ledger, no] of added) this.ledgerNos.set(ledger, no);
    this.nextLedgerNo = next;
    this.size = batch.state.size;
  }

  /** Runs the pieces one by one in BEGIN … COMMIT, checking each count; the first thing that failed is named. */
  private async inTransaction(
    ledgerPieces: readonly PgPiece[],
    segments: readonly (readonly SidePiece[])[],
  ): Promise<void> {
    const db = this.db;
    try {
      await db.query('BEGIN');
      for (const piece of ledgerPieces) {
        const res = await this.runPiece(piece);
        // The only counted ledger piece is the log state: the single-writer check made by the database itself.
        if (!meets(piece.want, res.rowCount ?? 0))
          throw new GovernessError(LedgerErrors.logMoved, { store: this.store, size: this.size });
      }
      for (const segment of segments) {
        const ran = [];
        for (const piece of segment) ran.push({ piece, rows: (await this.runPiece(piece)).rows });
        const conflict = await firstConflict(db, ran);
        if (conflict !== null) throw conflict;
      }
      // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK and no error: only this tells them apart.
      const done = await db.query('COMMIT');
      if (done.command !== 'COMMIT')
        throw new Error(`COMMIT answered ${done.command}: the transaction was aborted`);
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** The log state, ledgers, receipts, tiles and private payloads of a batch, as pieces. */
  private ledgerPieces(batch: WireBatch, added: Map<string, number>, nos: readonly number[]): PgPiece[] {
    const es = batch.entries;
    const pieces: PgPiece[] = [
      {
        // The log must be exactly where this writer believes it is, or nothing of the batch is written.
        render: (p) =>
          `UPDATE gov_log_state SET size = ${p.add(batch.state.size, 'bigint')}, ` +
          `frontier = ${p.add(bytesParam(batch.state.frontier), 'bytea')}, ` +
          `last_ts = ${p.add(batch.state.lastTsMs, 'bigint')} ` +
          `WHERE id = 1 AND size = ${p.add(this.size, 'bigint')} RETURNING id`,
        want: { all: 1 },
      },
    ];
    if (batch.newLedgers.length > 0) {
      const parts = batch.newLedgers;
      pieces.push({
        render: (p) =>
          `INSERT INTO gov_ledgers (ledger_no, ledger, governor, sku, tenant) SELECT * FROM unnest(` +
          [
            p.add(
              parts.map(([l]) => added.get(l)),
              'bigint[]',
            ),
            p.add(
              parts.map(([l]) => l),
              'text[]',
            ),
            p.add(
              parts.map((x) => x[1]),
              'text[]',
            ),
            p.add(
              parts.map((x) => x[2]),
              'text[]',
            ),
            p.add(
              parts.map((x) => x[3]),
              'text[]',
            ),
          ].join(', ') +
          ')',
      });
    }
    if (es.index.length > 0) {
      pieces.push({
        // The bytes travel as ONE binary parameter cut up by offsets: a bytea[] parameter would be sent as text
        // (hex-escaped), which costs more than the rest of the batch together.
        render: (p) => {
          const spans = spansOf(es.bytes);
          const arrays = [
            p.add(Array.from(es.index), 'bigint[]'),
            p.add(nos, 'bigint[]'),
            p.add(Array.from(es.seq), 'bigint[]'),
            p.add(Array.from(es.tsMs), 'bigint[]'),
            p.add(es.receiptId, 'text[]'),
            p.add(es.status, 'text[]'),
            p.add(es.reasonCode, 'text[]'),
            p.add(es.idempotencyKey, 'text[]'),
            p.add(spans.offsets, 'int[]'),
            p.add(spans.lengths, 'int[]'),
          ];
          const bytes = p.add(bytesParam(es.bytes.bytes), 'bytea');
          return (
            `INSERT INTO gov_receipts (idx, ledger_no, seq, ts, rid, status, reason, idem, bytes) ` +
            `SELECT r.idx, r.no, r.seq, r.ts, r.rid, r.status, r.reason, r.idem, ` +
            `substring(${bytes} FROM r.off + 1 FOR r.len) FROM unnest(${arrays.join(', ')}) ` +
            `AS r(idx, no, seq, ts, rid, status, reason, idem, off, len)`
          );
        },
      });
    }
    if (batch.tiles.level.length > 0) {
      pieces.push({
        render: (p) => {
          const spans = spansOf(batch.tiles.hashes);
          const arrays = [
            p.add(batch.tiles.level, 'int[]'),
            p.add(batch.tiles.index, 'bigint[]'),
            p.add(spans.offsets, 'int[]'),
            p.add(spans.lengths, 'int[]'),
          ];
          const hashes = p.add(bytesParam(batch.tiles.hashes.bytes), 'bytea');
          return (
            `INSERT INTO gov_tiles (level, idx, hashes) SELECT t.level, t.idx, ` +
            `substring(${hashes} FROM t.off + 1 FOR t.len) FROM unnest(${arrays.join(', ')}) ` +
            `AS t(level, idx, off, len) ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes`
          );
        },
      });
    }
    if (batch.privates.length > 0) {
      pieces.push({
        render: (p) =>
          `INSERT INTO gov_private (idx, salt, payload) SELECT * FROM unnest(` +
          `${p.add(
            batch.privates.map((x) => x.index),
            'bigint[]',
          )}, ${p.add(
            batch.privates.map((x) => bytesParam(x.salt)),
            'bytea[]',
          )}, ${p.add(
            batch.privates.map((x) => bytesParam(x.payload)),
            'bytea[]',
          )})`,
      });
    }
    if (batch.erase.length > 0) {
      pieces.push({
        render: (p) => `DELETE FROM gov_private WHERE idx = ANY(${p.add(batch.erase, 'bigint[]')})`,
      });
    }
    return pieces;
  }

  private runPiece(piece: PgPiece): Promise<pg.QueryResult<Record<string, unknown>>> {
    const params = new Params();
    const text = piece.render(params);
    return this.run(text, params.values);
  }

  /** Runs a statement, as a named prepared statement while there are names to spare (parsed once per connection). */
  private run(text: string, values: unknown[]): Promise<pg.QueryResult<Record<string, unknown>>> {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < MAX_NAMED) {
      name = `gov_s${this.names.size}`;
      this.names.set(text, name);
    }
    return this.db.query<Record<string, unknown>>(
      name === undefined ? { text, values } : { name, text, values },
    );
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
