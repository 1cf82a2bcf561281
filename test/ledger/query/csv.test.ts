// The CSV projection: RFC 4180 quoting, the formula-injection guard, the non-verifiable notice, fixed columns,
// filters, page-by-page reads bounded by the size at the start, on every store; and `governess export`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  CSV_COLUMNS,
  MemoryStore,
  csvCell,
  exportCsv,
  type ReceiptQuery,
  type StoredEntry,
} from '../../../src/ledger/index.js';
import { main } from '../../../src/service/cli/main.js';
import {
  STORE_KINDS,
  draft,
  openLedger,
  openLedgerOrSkip,
  type LedgerFixture,
} from '../../support/ledger.js';

/** A strict RFC 4180 reader for the tests (quoted fields, doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted field');
        cell += text.slice(i, q);
        i = q + 1;
        if (text[i] !== '"') break;
        cell += '"';
        i++;
      }
    } else {
      const end = text.slice(i).search(/,|\r\n/);
      const stop = end < 0 ? text.length : i + end;
      cell = text.slice(i, stop);
      if (cell.includes('"') || cell.includes('\n') || cell.includes('\r'))
        throw new Error(`bad bare field ${cell}`);
      i = stop;
    }
    row.push(cell);
    if (text.startsWith(',', i)) i++;
    else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else if (i < text.length) throw new Error(`garbage at ${i}`);
  }
  if (row.length > 0) throw new Error('last record has no CRLF');
  return rows;
}

describe('csvCell', () => {
  it('quotes only what RFC 4180 requires and doubles quotes', () => {
    expect(csvCell('plain text')).toBe('plain text');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell('')).toBe('');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe('"\'\r=1"');
    expect(csvCell('a=1')).toBe('a=1');
  });
});

describe.each(STORE_KINDS)('Ledger.exportCsv on %s', (kind) => {
  async function open(ctx: { skip: () => void }): Promise<LedgerFixture> {
    return openLedgerOrSkip(ctx, kind);
  }

  it('writes the notice, the header and one row per matching receipt, in log order', async (ctx) => {
    await using f = await open(ctx);
    for (let i = 0; i < 9; i++) {
      await f.ledger.append(
        draft({
          tenant_id: `t${i % 3}`,
          state_to: i === 3 ? '=cmd|calc' : 'ACTIVE',
          reason: { code: 'ok', message: i === 3 ? 'said "no", twice\nreally' : 'within quota' },
          metadata: { i, amount: '-12.50' },
          private: { secret: 'never in the CSV' },
        }),
      );
    }
    const path = join(f.dir, 'out.csv');
    const result = await f.ledger.exportCsv(path, { tenant: 't0' }, { pageSize: 2 });
    expect(result).toEqual({ rows: 3, end: 9 });
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('never in the CSV');
    const rows = parseCsv(text);
    expect(rows[0]).toHaveLength(1);
    expect(rows[0]![0]).toMatch(/^# NON-VERIFIABLE projection .*below 9.*Ledger\.export.*governess verify/);
    expect(rows[1]).toEqual([...CSV_COLUMNS]);
    expect(rows.slice(2).map((r) => r[0])).toEqual(['0', '3', '6']);
    const r3 = Object.fromEntries(CSV_COLUMNS.map((c, k) => [c, rows[3]![k]]));
    const stored = (await f.ledger.query({ tenant: 't0', limit: 10 })).items[1]!.receipt;
    expect(r3).toEqual({
      index: '3',
      receipt_id: stored.receipt_id,
      ledger: 'quota/sku-1/t0',
      ledger_seq: '2',
      ts: stored.ts,
      governor: 'quota',
      sku_id: 'sku-1',
      tenant_id: 't0',
      state_from: 'ACTIVE',
      state_to: "'=cmd|calc",
      event_type: 'cast',
      status: 'accept',
      reason_code: 'ok',
      reason_message: 'said "no", twice\nreally',
      metadata: '{"amount":"-12.50","i":3}',
    });
  });
});

describe('exportCsv streaming', () => {
  async function memoryLog(
    n: number,
  ): Promise<{ store: MemoryStore; queries: ReceiptQuery[] } & AsyncDisposable> {
    const f = (await openLedger('memory')) as LedgerFixture;
    for (let i = 0; i < n; i++) await f.ledger.append(draft({ metadata: { i } }));
    const store = f.store as MemoryStore;
    const queries: ReceiptQuery[] = [];
    const query = store.query.bind(store);
    store.query = (q: ReceiptQuery): Promise<StoredEntry[]> => {
      queries.push(q);
      return query(q);
    };
    return { store, queries, [Symbol.asyncDispose]: () => f[Symbol.asyncDispose]() };
  }

  it('reads page by page with a cursor, stops at `end`, and leaves a given stream open', async () => {
    await using log = await memoryLog(10);
    const { store, queries } = log;
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const result = await exportCsv(store, out, {}, { end: 8, pageSize: 3 });
    expect(result).toEqual({ rows: 8, end: 8 });
    expect(queries.map((q) => [q.afterIndex, q.limit])).toEqual([
      [undefined, 3],
      [2, 3],
      [5, 3],
    ]);
    expect(out.writableEnded).toBe(false);
    const rows = parseCsv(Buffer.concat(chunks).toString('utf8'));
    expect(rows.slice(2).map((r) => r[0])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
  });

  it('refuses a bad page size before writing anything', async () => {
    await using log = await memoryLog(1);
    const { store } = log;
    await expect(exportCsv(store, new PassThrough(), {}, { end: 1, pageSize: 0 })).rejects.toMatchObject({
      code: 'GOV_RECEIPT_INVALID',
      details: { field: 'pageSize' },
    });
  });
});

describe('governess export (CLI)', () => {
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('writes the CSV of a SQLite database with filters; exit 2 on bad usage', async () => {
    await using f = (await openLedger('sqlite')) as LedgerFixture;
    for (let i = 0; i < 6; i++) {
      await f.ledger.append(draft({ status: i % 2 === 0 ? 'accept' : 'refuse', metadata: { i } }));
    }
    await f.ledger.close();
    const db = `sqlite:${join(f.dir, 'ledger.sqlite')}`;
    const csv = join(f.dir, 'refused.csv');
    const ok = await run(['export', '--db', db, '--csv', csv, '--status', 'refuse', '--from', '1970-01-01']);
    expect(ok.err).toMatch(/wrote 3 receipts/);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toEqual({ csv, rows: 3, log_size: 6, verifiable: false });
    expect(
      parseCsv(readFileSync(csv, 'utf8'))
        .slice(2)
        .map((r) => r[0]),
    ).toEqual(['1', '3', '5']);
    expect((await run(['export', '--db', db])).code).toBe(2);
    expect((await run(['export', '--db', db, '--csv', csv, '--status', 'maybe'])).code).toBe(2);
    const badTime = await run(['export', '--db', db, '--csv', csv, '--to', 'yesterday']);
    expect(badTime.code).toBe(2);
    expect(badTime.err).toMatch(/--to "yesterday": expected 2026-11-23/);
    expect((await run(['export', '--db', 'sqlite:/nonexistent.sqlite', '--csv', csv])).code).toBe(2);
    expect((await run(['export', '--help'])).out).toMatch(/NON-VERIFIABLE/);
  });
});
