// @ts-check
// The SQLite writer thread of SqliteStore (sqlite-store.ts). better-sqlite3 is synchronous, so a COMMIT with
// synchronous=FULL blocks its thread for the fsync; running it here keeps the event loop free and lets the
// sequencer seal the next batch while this one is written. It knows no schema: it runs the statements it is
// sent, all in one BEGIN IMMEDIATE transaction, and answers. Plain JavaScript so that it loads in a worker
// thread under any loader (node, tsx, vitest).
//
// Protocol (messages are structured-cloned):
//   → { type: 'open', id, path, pragmas: string[], ddl: string }  ← { id, ok: true } | { id, ok: false, message }
//   → { type: 'run', id, steps: (statement | check)[] }             ← { id, ok: true } | { id, ok: false, message }
//     statement: { sql, what, rows: value[][] | (count, columns), expectChanges?: number }
//     check:     { what, checks: sql[], which: number[], expect: value[], rows: value[][] }
//     (a failed check, or a statement changing other than expectChanges rows, answers
//      { id, ok: false, message, conflict: { step, row, found? } })
//   → { type: 'close' }                                            (closes the database; the thread ends)
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';

const port = parentPort;
if (port === null) throw new Error('sqlite-writer.worker.mjs runs only as a worker thread');

/** @type {import('better-sqlite3').Database | null} */
let db = null;
/** @type {Map<string, import('better-sqlite3').Statement>} */
const statements = new Map();

/** @param {string} sql */
function prepared(sql) {
  let s = statements.get(sql);
  if (s === undefined) {
    s = /** @type {import('better-sqlite3').Database} */ (db).prepare(sql);
    statements.set(sql, s);
  }
  return s;
}

/**
 * @typedef {{ numbers: Float64Array } | { strings: (string | null)[] } | { bytes: Uint8Array, ends: Uint32Array }} Column
 * @typedef {{ sql: string, what: string, expectChanges?: number, rows?: unknown[][], count?: number, columns?: Column[] }} StatementStep
 * @typedef {{ what: string, checks: string[], which: number[], expect: unknown[], rows: unknown[][] }} CheckStep
 * @typedef {StatementStep | CheckStep} Step
 */

/** Thrown by a failed check; carries what the store needs to name the conflict. */
class Conflict extends Error {
  /** @param {string} message @param {{ step: number, row: number, found?: unknown }} conflict */
  constructor(message, conflict) {
    super(message);
    this.conflict = conflict;
  }
}

/** Whether a stored value equals the expected one (byte strings byte for byte). @param {unknown} want @param {unknown} got */
function same(want, got) {
  if (want instanceof Uint8Array)
    return got instanceof Uint8Array && Buffer.from(want).equals(Buffer.from(got));
  return want === got;
}

/**
 * Runs a check step: row i runs SELECT checks[which[i]] (one column of at most one row) with rows[i]. Expected
 * null means "no row"; otherwise the row must exist and hold the value. @param {CheckStep} step @param {number} at
 */
function runChecks(step, at) {
  const stmts = step.checks.map((sql) => prepared(sql).raw(true));
  for (let i = 0; i < step.rows.length; i++) {
    const row = /** @type {unknown[] | undefined} */ (stmts[step.which[i]].get(...step.rows[i]));
    const want = step.expect[i];
    const ok = want === null ? row === undefined : row !== undefined && row[0] !== null && same(want, row[0]);
    if (!ok) {
      const found =
        row === undefined ? undefined : row[0] instanceof Buffer ? new Uint8Array(row[0]) : row[0];
      throw new Conflict(`${step.what}: expectation not met`, { step: at, row: i, found });
    }
  }
}

/** The parameters of row `i` of a columnar step. @param {Column[]} columns @param {number} i */
function rowOf(columns, i) {
  return columns.map((c) => {
    if ('numbers' in c) return c.numbers[i];
    if ('strings' in c) return c.strings[i];
    return c.bytes.subarray(i === 0 ? 0 : c.ends[i - 1], c.ends[i]);
  });
}

/** @param {Step[]} steps */
function runSteps(steps) {
  for (const [at, step] of steps.entries()) {
    if ('checks' in step) {
      runChecks(step, at);
      continue;
    }
    const stmt = prepared(step.sql);
    const n = step.rows !== undefined ? step.rows.length : (step.count ?? 0);
    for (let i = 0; i < n; i++) {
      const row = step.rows !== undefined ? step.rows[i] : rowOf(/** @type {Column[]} */ (step.columns), i);
      const info = stmt.run(.../** @type {unknown[]} */ (row));
      if (step.expectChanges !== undefined && info.changes !== step.expectChanges) {
        throw new Conflict(
          `${step.what}: expected ${step.expectChanges} changed row(s), got ${info.changes}`,
          {
            step: at,
            row: i,
          },
        );
      }
    }
  }
}

/** @param {unknown} err */
function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

/** SQLite's error code (e.g. SQLITE_CORRUPT), so the store can tell a damaged file from other failures. @param {unknown} err */
function codeOf(err) {
  const code = /** @type {{ code?: unknown } | null} */ (err)?.code;
  return typeof code === 'string' ? code : undefined;
}

port.on('message', (/** @type {any} */ msg) => {
  if (msg.type === 'open') {
    try {
      db = new Database(msg.path);
      for (const p of msg.pragmas) db.pragma(p);
      db.exec(msg.ddl);
      port.postMessage({ id: msg.id, ok: true });
    } catch (err) {
      db?.close();
      db = null;
      port.postMessage({ id: msg.id, ok: false, message: messageOf(err), code: codeOf(err) });
    }
  } else if (msg.type === 'run') {
    try {
      if (db === null) throw new Error('database not open');
      db.transaction(runSteps).immediate(msg.steps);
      port.postMessage({ id: msg.id, ok: true });
    } catch (err) {
      const conflict = err instanceof Conflict ? err.conflict : undefined;
      port.postMessage({ id: msg.id, ok: false, message: messageOf(err), code: codeOf(err), conflict });
    }
  } else if (msg.type === 'close') {
    statements.clear();
    db?.close();
    db = null;
    port.close();
  }
});
