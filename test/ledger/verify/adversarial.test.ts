// Tampering with a log must be caught and named: in an export (no database) and in the database itself, judged
// against the signed checkpoint and the last checkpoint pushed to an anchor.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileAnchor,
  Ledger,
  SqliteStore,
  generateSigner,
  readAnchorFile,
  verifyExport,
  verifyStore,
  type VerifyReport,
} from '../../../src/ledger/index.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import { main } from '../../../src/service/cli/main.js';
import { draft } from '../../support/ledger.js';

const keys = generateSigner('governess.test/adversarial');
let dir: string;
let exportDir: string;
let dbPath: string;
let anchorPath: string;
let lines: Buffer[];

async function build(path: string, anchor: string, n: number): Promise<Ledger> {
  const ledger = await Ledger.open({
    store: new SqliteStore({ path }),
    clock: new SimulatedClock(),
    signer: keys.signer,
    checkpointIntervalMs: 0,
    groupCommit: { maxDelayMs: 0, maxBatch: 16 },
    anchors: [new FileAnchor(anchor)],
  });
  await Promise.all(
    Array.from({ length: n }, (_, i) => ledger.append(draft({ tenant_id: `t${i % 5}`, metadata: { i } }))),
  );
  return ledger;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gov-adv-'));
  exportDir = join(dir, 'export');
  dbPath = join(dir, 'ledger.sqlite');
  anchorPath = join(dir, 'anchor.notes');
  const ledger = await build(dbPath, anchorPath, 60);
  await ledger.export(exportDir);
  await ledger.close();
  lines = readFileSync(join(exportDir, 'receipts.jsonl'))
    .toString('latin1')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => Buffer.from(l, 'latin1'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the export with receipts.jsonl replaced by `body` (and manifest edited by `edit`). */
function tampered(body: Buffer[], edit?: (m: Record<string, unknown>) => void): string {
  const d = mkdtempSync(join(dir, 'x-'));
  writeFileSync(join(d, 'receipts.jsonl'), Buffer.concat(body.flatMap((l) => [l, Buffer.from('\n')])));
  const manifest = JSON.parse(readFileSync(join(exportDir, 'manifest.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  edit?.(manifest);
  writeFileSync(join(d, 'manifest.json'), JSON.stringify(manifest));
  return d;
}

async function check(d: string): Promise<VerifyReport> {
  const trusted = (await readAnchorFile(anchorPath)).at(-1);
  return verifyExport(d, { keys: [keys.verifier], ...(trusted === undefined ? {} : { trusted }) });
}

describe('verify an export', () => {
  it('passes on the untouched export, against the key and the anchored checkpoint', async () => {
    const r = await check(exportDir);
    expect(r.failures).toEqual([]);
    expect(r).toMatchObject({ ok: true, receipts: 60, ledgers: 5, tree_size: 60, checkpoint_size: 60 });
  });

  it('fails when any byte of a stored receipt is flipped, naming its line', async () => {
    let caught = 0;
    for (let k = 0; k < 30; k++) {
      const line = (k * 7) % lines.length;
      const body = lines.map((l) => Buffer.from(l));
      const target = body[line]!;
      const pos = (k * 37) % target.length;
      target[pos] = target[pos]! ^ (1 << (k % 7));
      const r = await check(tampered(body));
      expect(r.ok, `line ${line + 1} byte ${pos}`).toBe(false);
      expect(
        r.failures.some((f) => f.where.includes(`line ${line + 1} `) || f.where.includes('checkpoint')),
      ).toBe(true);
      caught++;
    }
    expect(caught).toBe(30);
  });

  it('fails when a receipt is deleted, at the next receipt of its ledger (the chain gap)', async () => {
    // Receipts go round-robin over 5 ledgers: after deleting line 18, its ledger's next receipt was line 23,
    // now line 22, and its seq no longer follows.
    const r = await check(tampered(lines.filter((_, i) => i !== 17)));
    expect(r.ok).toBe(false);
    expect(r.first_failure?.where).toContain('line 22');
    expect(r.first_failure?.problem).toMatch(/gap/);
  });

  it('fails when two receipts are swapped', async () => {
    const body = [...lines];
    [body[10], body[11]] = [body[11]!, body[10]!];
    const r = await check(tampered(body));
    expect(r.ok).toBe(false);
    // Two receipts of different ledgers in one batch keep both chains intact: the Merkle root catches the swap.
    expect(r.first_failure?.where).toBe('manifest.json checkpoint');
    const sameLedger = [...lines];
    [sameLedger[10], sameLedger[15]] = [sameLedger[15]!, sameLedger[10]!];
    const r2 = await check(tampered(sameLedger));
    expect(r2.first_failure?.where).toContain('line 11');
  });

  it("fails when a ledger's tail is truncated (even with the manifest rewritten to match)", async () => {
    const last = lines.length - 1;
    const r = await check(tampered(lines.slice(0, last), (m) => (m['to'] = last)));
    expect(r.ok).toBe(false);
    expect(r.first_failure?.where).toContain('checkpoint');
  });

  it('fails when a whole ledger is dropped', async () => {
    const r = await check(tampered(lines.filter((l) => !l.toString().includes('"tenant_id":"t3"'))));
    expect(r.ok).toBe(false);
  });

  it('fails on a checkpoint signed by another key, and on a tampered checkpoint', async () => {
    const other = generateSigner('governess.test/adversarial');
    const r1 = await verifyExport(exportDir, { keys: [other.verifier] });
    expect(r1.ok).toBe(false);
    expect(r1.first_failure?.where).toContain('checkpoint');
    const r2 = await check(
      tampered(lines, (m) => (m['checkpoint'] = String(m['checkpoint']).replace('\n60\n', '\n59\n'))),
    );
    expect(r2.ok).toBe(false);
    expect(r2.first_failure?.code).toBe('GOV_SIGNATURE_INVALID');
  });
});

describe('verify a database', () => {
  async function verifyDb(path: string): Promise<VerifyReport> {
    const store = new SqliteStore({ path });
    try {
      const trusted = (await readAnchorFile(anchorPath)).at(-1);
      return await verifyStore(store, {
        keys: [keys.verifier],
        ...(trusted === undefined ? {} : { trusted }),
      });
    } finally {
      await store.close();
    }
  }

  function copyDb(): string {
    const p = join(mkdtempSync(join(dir, 'db-')), 'copy.sqlite');
    copyFileSync(dbPath, p);
    for (const ext of ['-wal', '-shm']) {
      try {
        copyFileSync(dbPath + ext, p + ext);
      } catch {
        // no WAL file: the database was checkpointed on close
      }
    }
    return p;
  }

  it('passes on the untouched database', async () => {
    const r = await verifyDb(dbPath);
    expect(r.failures).toEqual([]);
    expect(r.receipts).toBe(60);
  });

  it('fails when a stored receipt byte is flipped, naming the receipt index', async () => {
    const p = copyDb();
    const db = new Database(p);
    const row = db.prepare('SELECT bytes FROM gov_receipts WHERE idx = 23').get() as { bytes: Buffer };
    row.bytes[40] = row.bytes[40]! ^ 1;
    db.prepare('UPDATE gov_receipts SET bytes = ? WHERE idx = 23').run(row.bytes);
    db.close();
    const r = await verifyDb(p);
    expect(r.ok).toBe(false);
    expect(r.first_failure?.where).toContain('index 23');
  });

  it('fails when the tail is truncated and the log state and checkpoints are rewritten to hide it', async () => {
    const p = copyDb();
    const db = new Database(p);
    db.exec(
      'DELETE FROM gov_receipts WHERE idx >= 50; DELETE FROM gov_checkpoints; UPDATE gov_log_state SET size = 50',
    );
    db.close();
    const r = await verifyDb(p);
    expect(r.ok).toBe(false);
    expect(r.failures.some((f) => f.where === 'trusted checkpoint' && /truncated/.test(f.problem))).toBe(
      true,
    );
  });

  it('fails when an older copy of the database is restored', async () => {
    const old = copyDb();
    const ledger = await build(dbPath, anchorPath, 5);
    await ledger.checkpoint();
    await ledger.close();
    const r = await verifyDb(old);
    expect(r.ok).toBe(false);
    expect(r.first_failure?.where).toBe('trusted checkpoint');
  });
});

describe('governess verify (CLI)', () => {
  function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    return main(args, { out: (l) => out.push(l), err: (l) => err.push(l) }).then((code) => ({
      code,
      out: out.join('\n'),
      err: err.join('\n'),
    }));
  }

  it('exits 0 with a JSON report on a good export, 1 naming the place on a bad one, 2 on bad usage', async () => {
    const good = await run(['verify', exportDir, '--key', keys.verifierKey]);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.out)).toMatchObject({ ok: true, receipts: 60 });
    const bad = await run(['verify', tampered(lines.slice(1)), '--key', keys.verifierKey]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out).first_failure.where).toContain('line 5');
    expect(bad.err).toMatch(/FAILED at receipts.jsonl line 5 .*earlier receipts are missing/);
    expect((await run(['verify'])).code).toBe(2);
    expect((await run(['verify', exportDir, '--nope'])).code).toBe(2);
    expect((await run(['verify', exportDir, '--key', 'not-a-key'])).code).toBe(2);
  });
});
