// Before a SQLite ledger file is verified, it is opened READ-ONLY and checked: it is a SQLite database, its pages
// pass `PRAGMA quick_check`, and it is a Governess ledger of this storage version. The store itself opens files
// read-write and creates missing tables, so without this step verifying a damaged or foreign file could change
// it, and damage in pages that verification does not read (indexes, tiles) would go unnoticed.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { STORAGE_SCHEMA_VERSION } from '../store/sql-schema.js';

/**
 * Why the SQLite file at `path` cannot be verified as a ledger, or null when it can. `quickCheck: false` skips
 * `PRAGMA quick_check` (weaker: damage in pages the walk does not read, e.g. indexes, goes unnoticed).
 * `onLedger` is told the receipt count the log state records once the file is known to be a ledger of this
 * version, before the (slow) quick_check, so a caller can start work that does not depend on it.
 */
export function sqliteFileProblem(
  path: string,
  quickCheck = true,
  onLedger?: (size: number) => void,
): string | null {
  if (!existsSync(path)) return 'no such file';
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const problem = ledgerProblem(db, onLedger);
    // Damage is named first, whatever else it made the file look like.
    const rows = quickCheck ? (db.pragma('quick_check(5)') as { quick_check: string }[]) : [];
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    if (problems.length > 0) return `SQLite integrity check failed: ${problems.join('; ')}`;
    return problem;
  } catch (err) {
    // better-sqlite3 reports a damaged file as "file is not a database" or "database disk image is malformed".
    return `not a readable SQLite database: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    db?.close();
  }
}

/** Why `db` is not a Governess ledger of this storage version, or null (then `onLedger` is told its size). */
function ledgerProblem(db: Database.Database, onLedger: ((size: number) => void) | undefined): string | null {
  const meta = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'gov_meta'")
    .get() as { name: string } | undefined;
  if (meta === undefined) return 'not a Governess ledger database (it has no gov_meta table)';
  const version = db.prepare("SELECT value FROM gov_meta WHERE key = 'schema_version'").get() as
    { value: string } | undefined;
  if (version?.value !== STORAGE_SCHEMA_VERSION) {
    return `storage schema version ${version?.value ?? '(missing)'}, this build reads ${STORAGE_SCHEMA_VERSION}`;
  }
  const state = db.prepare('SELECT size FROM gov_log_state WHERE id = 1').get() as
    { size: unknown } | undefined;
  if (typeof state?.size === 'number') onLedger?.(state.size);
  return null;
}
