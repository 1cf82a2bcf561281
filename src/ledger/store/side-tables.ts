// Side tables let a higher layer (durable snapshots, timers, outbox) write rows in the same transaction as the
// receipts that justify them, so no state change can exist without its receipt. Writes are data, not SQL, so
// every store (and a store running in a worker thread) applies them the same way; this module validates them.
import { GovernessError, LedgerErrors } from '../../errors/index.js';
import type { RowWrite, SqlValue, TableDef } from './types.js';

const NAME = /^[a-z][a-z0-9_]{0,47}$/;

/** The registered side tables of one store, with validation of every write against its definition. */
export class SideTables {
  private readonly defs = new Map<string, TableDef>();

  /** Registers a table; names and columns must be simple identifiers and the key must name columns. */
  define(def: TableDef): void {
    const where = `table ${def.name}`;
    if (!NAME.test(def.name)) throw bad(where, 'name must match [a-z][a-z0-9_]*');
    if (this.defs.has(def.name)) throw bad(where, 'already defined');
    const cols = Object.keys(def.columns);
    if (cols.length === 0) throw bad(where, 'has no columns');
    for (const c of cols) if (!NAME.test(c)) throw bad(where, `column ${c} must match [a-z][a-z0-9_]*`);
    if (def.primaryKey.length === 0) throw bad(where, 'has no primary key');
    for (const k of def.primaryKey)
      if (!(k in def.columns)) throw bad(where, `key column ${k} is not a column`);
    this.defs.set(def.name, def);
  }

  /** All registered tables. */
  all(): readonly TableDef[] {
    return [...this.defs.values()];
  }

  /** The definition of a table; throws when it is not registered. */
  get(name: string): TableDef {
    const def = this.defs.get(name);
    if (def === undefined) throw bad(`table ${name}`, 'not defined (call defineTable before open)');
    return def;
  }

  /** Checks a write: known table, known columns of the right type, the full key present. */
  check(w: RowWrite): void {
    const def = this.get(w.table);
    const values = w.op === 'upsert' ? w.row : w.key;
    for (const [col, v] of Object.entries(values)) {
      const type = def.columns[col];
      if (type === undefined) throw bad(`table ${w.table}`, `unknown column ${col}`);
      if (!fits(type, v)) throw bad(`table ${w.table}`, `column ${col} expects ${type}`);
    }
    for (const k of def.primaryKey) {
      if (values[k] === undefined || values[k] === null)
        throw bad(`table ${w.table}`, `key column ${k} missing`);
    }
    if (w.op === 'delete' && Object.keys(w.key).length !== def.primaryKey.length) {
      throw bad(`table ${w.table}`, 'delete takes exactly the primary-key columns');
    }
  }

  /** A stable string for a row's primary key (memory store map key). */
  keyOf(table: string, values: Readonly<Record<string, SqlValue>>): string {
    return JSON.stringify(this.get(table).primaryKey.map((k) => encodeKeyPart(values[k] ?? null)));
  }
}

function encodeKeyPart(v: SqlValue): string | number | null {
  return v instanceof Uint8Array ? `b:${Buffer.from(v).toString('hex')}` : v;
}

function fits(type: 'text' | 'integer' | 'blob', v: SqlValue | undefined): boolean {
  if (v === null) return true;
  if (type === 'text') return typeof v === 'string';
  if (type === 'integer') return typeof v === 'number' && Number.isSafeInteger(v);
  return v instanceof Uint8Array;
}

function bad(store: string, problem: string): GovernessError {
  return new GovernessError(LedgerErrors.storeFailed, { store, problem });
}
