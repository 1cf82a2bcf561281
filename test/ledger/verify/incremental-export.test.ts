// Incremental verification of exports and through `governess verify --state`: an export of a later range is
// checked from the saved state (chains continue across exports, the root grows from the saved frontier), the
// state file is rewritten atomically only after a passing run, and a damaged or mismatched state exits 2.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Ledger,
  MemoryStore,
  SqliteStore,
  formatVerifyState,
  generateSigner,
  parseVerifyState,
  verifyExport,
  type ExportManifest,
  type VerifyState,
} from '../../../src/ledger/index.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import { draft } from '../../support/ledger.js';
import { runCli } from '../../support/verify.js';

const keys = generateSigner('governess.test/exports');
const key = keys.verifierKey;
let dir: string;
/** Exports of one log: [0, 20) and [20, 35) with a consistency proof from the first. */
let first: string;
let second: string;
/** The same ranges of another log signed with the same key (what a rewrite looks like). */
let forgedSecond: string;

async function openLedger(path?: string): Promise<Ledger> {
  return Ledger.open({
    store: path === undefined ? new MemoryStore() : new SqliteStore({ path }),
    clock: new SimulatedClock(),
    signer: keys.signer,
    checkpointIntervalMs: 0,
    groupCommit: { maxDelayMs: 0 },
  });
}

async function append(ledger: Ledger, n: number, tag: string): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      ledger.append(draft({ tenant_id: `t${i % 3}`, event: { type: 'cast', summary: tag } })),
    ),
  );
}

async function twoExports(tag: string): Promise<[string, string]> {
  const ledger = await openLedger();
  await append(ledger, 20, tag);
  const a = join(dir, `${tag}-1`);
  const b = join(dir, `${tag}-2`);
  const m1: ExportManifest = await ledger.export(a);
  await append(ledger, 15, tag);
  await ledger.export(b, { from: 20, previous: m1 });
  await ledger.close();
  return [a, b];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gov-incr-'));
  [first, second] = await twoExports('real');
  [, forgedSecond] = await twoExports('forged');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function stateOf(exportDir: string): Promise<VerifyState> {
  const run = await verifyExport(exportDir, { keys: [keys.verifier] });
  expect(run.failures).toEqual([]);
  return run.state!;
}

/** A copy of an export with receipts.jsonl lines edited. */
function edited(exportDir: string, edit: (lines: string[]) => string[]): string {
  const d = mkdtempSync(join(dir, 'edit-'));
  const lines = readFileSync(join(exportDir, 'receipts.jsonl'), 'utf8').split('\n').slice(0, -1);
  writeFileSync(
    join(d, 'receipts.jsonl'),
    edit(lines)
      .map((l) => `${l}\n`)
      .join(''),
  );
  writeFileSync(join(d, 'manifest.json'), readFileSync(join(exportDir, 'manifest.json')));
  return d;
}

describe('verifyExport with a saved state', () => {
  it('checks only the later range and continues the chains and the tree from the state', async () => {
    const saved = await stateOf(first);
    expect(saved).toMatchObject({ size: 20, start: 0 });
    const run = await verifyExport(second, { keys: [keys.verifier], state: saved });
    expect(run.failures).toEqual([]);
    expect(run).toMatchObject({ ok: true, mode: 'incremental', from: 20, to: 35, receipts: 15 });
    expect(run.state).toMatchObject({ size: 35, start: 0 });
    // Without the state the same range export verifies too, but only as a slice: its chains start anywhere.
    expect((await verifyExport(second, { keys: [keys.verifier] })).state).toMatchObject({ start: 20 });
  });

  it('names the chain gap when the range lost its first receipt (a slice alone sees only the root)', async () => {
    const saved = await stateOf(first);
    const cut = edited(second, (lines) => lines.slice(1));
    const run = await verifyExport(cut, { keys: [keys.verifier], state: saved });
    expect(run.first_failure?.where).toBe('receipts.jsonl line 3 (index 22) (quota/sku-1/t0 seq 9)');
    expect(run.first_failure?.problem).toMatch(/seq 9 follows seq 7: the chain has a gap/);
    const slice = await verifyExport(cut, { keys: [keys.verifier] });
    expect(slice.first_failure?.where).toBe('manifest.json checkpoint');
  });

  it('fails with GOV_LOG_INCONSISTENT on a later range of a rewritten log', async () => {
    const run = await verifyExport(forgedSecond, { keys: [keys.verifier], state: await stateOf(first) });
    expect(run.ok).toBe(false);
    expect(run.state).toBeNull();
    expect(run.first_failure).toMatchObject({
      where: 'manifest.json field frontier_at_from',
      code: 'GOV_LOG_INCONSISTENT',
    });
    expect(run.failures).toContainEqual(
      expect.objectContaining({ where: 'manifest.json previous', code: 'GOV_LOG_INCONSISTENT' }),
    );
  });

  it('refuses a state that does not end where the export starts', async () => {
    const after = await verifyExport(second, { keys: [keys.verifier], state: await stateOf(first) });
    const err = await verifyExport(second, { keys: [keys.verifier], state: after.state! }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'GOV_VERIFY_STATE_INVALID' });
    expect((err as Error).message).toBe(
      'cannot resume verification from verify state: it ends at log index 35, this export starts at 20: verify the export that starts at 35, or use --full',
    );
  });
});

describe('the state file', () => {
  it('is versioned JSON with one ledger head per line, and parses back to the same state', async () => {
    const state = await stateOf(first);
    const text = formatVerifyState(state);
    const lines = text.split('\n');
    expect(lines.slice(0, 2)).toEqual(['{', '  "format": "governess.verify-state/v2",']);
    expect(lines.filter((l) => /^ {4}\["quota\/sku-1\/t\d",\d+,"[0-9a-f]{64}"\],?$/.test(l))).toHaveLength(3);
    expect(JSON.parse(text)).toEqual(state);
    expect(parseVerifyState(text, 'x')).toEqual(state);
  });

  it('is exactly the layout docs/ledger/verification.md describes', () => {
    const state: VerifyState = {
      format: 'governess.verify-state/v2',
      origin: 'o',
      key_hash: '1a2b3c4d',
      size: 9,
      frontier: 'ab',
      last_ts_ms: 5,
      start: 0,
      checkpoint: 'o\n9\nx\n',
      heads: [
        ['a/b/c', 2, 'f'.repeat(64)],
        ['a/b/d', 1, '0'.repeat(64)],
      ],
      privates: [
        [1, 'a/b/c', 2],
        [4, 'a/b/d', 1],
      ],
      erased: [[0, 8]],
    };
    expect(formatVerifyState(state)).toBe(
      [
        '{',
        '  "format": "governess.verify-state/v2",',
        '  "origin": "o",',
        '  "key_hash": "1a2b3c4d",',
        '  "size": 9,',
        '  "frontier": "ab",',
        '  "last_ts_ms": 5,',
        '  "start": 0,',
        '  "checkpoint": "o\\n9\\nx\\n",',
        '  "heads": [',
        `    ["a/b/c",2,"${'f'.repeat(64)}"],`,
        `    ["a/b/d",1,"${'0'.repeat(64)}"]`,
        '  ],',
        '  "privates": [',
        '    [1,"a/b/c",2],',
        '    [4,"a/b/d",1]',
        '  ],',
        '  "erased": [',
        '    [0,8]',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
    expect(parseVerifyState(formatVerifyState(state), 'x')).toEqual(state);
    expect(formatVerifyState({ ...state, heads: [], privates: [], erased: [] })).toContain(
      '  "start": 0,\n  "checkpoint": "o\\n9\\nx\\n",\n  "heads": [],\n  "privates": [],\n  "erased": []\n}\n',
    );
  });

  it.each([
    ['not JSON', (t: string) => t.slice(0, 40), /^state file \S+$/, /not valid JSON/],
    [
      'another format',
      (t: string) => t.replace('verify-state/v2', 'verify-state/v3'),
      /field format$/,
      /this build reads/,
    ],
    [
      'a version 1 file (no private receipts or erasures)',
      (t: string) => t.replace('verify-state/v2', 'verify-state/v1'),
      /field format$/,
      /did not track private receipts and erasures; this build reads governess\.verify-state\/v2: run once with --full/,
    ],
    [
      'a missing field',
      (t: string) => t.replace(/ {2}"erased": \[\]\n/, '').replace(/,\n\}/, '\n}'),
      /field erased$/,
      /is missing/,
    ],
    [
      'a start past the size',
      (t: string) => t.replace('"start": 0', '"start": 999'),
      /field start$/,
      /past size/,
    ],
    [
      'a private receipt at or past the size',
      (t: string) => t.replace('"privates": []', '"privates": [[20,"quota/sku-1/t0",1]]'),
      /field privates\[0\]$/,
      /index 20 is not below size 20/,
    ],
    [
      'a private receipt without its ledger',
      (t: string) => t.replace('"privates": []', '"privates": [[3,4]]'),
      /field privates\[0\]$/,
      /must be \[index, ledger, seq\]/,
    ],
    [
      'an erasure before what it erases',
      (t: string) => t.replace('"erased": []', '"erased": [[5,5]]'),
      /field erased\[0\]$/,
      /needs index < by < size \(20\), got \[5, 5\]/,
    ],
    [
      'an unknown field',
      (t: string) => t.replace('{\n', '{\n  "extra": 1,\n'),
      /field extra$/,
      /unknown field/,
    ],
    [
      'a bad key hash',
      (t: string) => t.replace(/"key_hash": "[0-9a-f]+"/, '"key_hash": "XYZ"'),
      /field key_hash$/,
      /8 lower-case hex/,
    ],
    [
      'a head without its seq',
      (t: string) => t.replace(/,\d+,"([0-9a-f]{64})"\]/, ',"$1"]'),
      /field heads\[0\]$/,
      /must be \[ledger, seq, hash\]/,
    ],
    ['a negative size', (t: string) => t.replace(/"size": \d+/, '"size": -1'), /field size$/, /at least 0/],
    [
      'a broken head',
      (t: string) => t.replace(/,(\d+),"[0-9a-f]{64}"\]/, ',$1,"xyz"]'),
      /field heads\[0\]$/,
      /64 lower-case hex/,
    ],
  ])('refuses %s, naming the file and field', (_label, damage, where, problem) => {
    return stateOf(first).then((state) => {
      let err: unknown;
      try {
        parseVerifyState(damage(formatVerifyState(state)), 'state file s.json');
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'GOV_VERIFY_STATE_INVALID' });
      const details = (err as { details: { where: string; problem: string } }).details;
      expect(details.where).toMatch(where);
      expect(details.where.startsWith('state file s.json')).toBe(true);
      expect(details.problem).toMatch(problem);
    });
  });
});

describe('governess verify --state', () => {
  it('creates the file on the first run, resumes from it, and rewrites it atomically', async () => {
    const stateDir = mkdtempSync(join(dir, 'state-'));
    const file = join(stateDir, 'verify.state');
    const a = await runCli(['verify', first, '--key', key, '--state', file]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out)).toMatchObject({ ok: true, mode: 'full', from: 0, to: 20 });
    expect(JSON.parse(a.out)).not.toHaveProperty('state');
    expect(a.err).toContain(`state saved to ${file} (checkpoint of size 20)`);
    const b = await runCli(['verify', second, '--key', key, '--state', file]);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out)).toMatchObject({ mode: 'incremental', from: 20, to: 35, receipts: 15 });
    expect(b.err).toMatch(/verified \(incremental: 20 to 35\): 15 receipts/);
    expect(parseVerifyState(readFileSync(file, 'utf8'), file).size).toBe(35);
    expect(readdirSync(stateDir)).toEqual(['verify.state']);
    // The same export again does not start where the state ends: exit 2, and --full walks it again.
    const c = await runCli(['verify', second, '--key', key, '--state', file]);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/it ends at log index 35, this export starts at 20: .* or use --full/);
    const d = await runCli(['verify', second, '--key', key, '--state', file, '--full']);
    expect(d.code).toBe(0);
    expect(JSON.parse(d.out)).toMatchObject({ mode: 'full', from: 20, to: 35 });
  });

  it('exits 1 on a rewritten log and leaves the state file as it was', async () => {
    const file = join(mkdtempSync(join(dir, 'state-')), 'verify.state');
    expect((await runCli(['verify', first, '--key', key, '--state', file])).code).toBe(0);
    const before = readFileSync(file);
    const run = await runCli(['verify', forgedSecond, '--key', key, '--state', file]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^FAILED at manifest\.json field frontier_at_from: .*rewritten/);
    expect(readFileSync(file)).toEqual(before);
  });

  it('exits 2 naming the file and field for a damaged state, and for a state of another key', async () => {
    const file = join(mkdtempSync(join(dir, 'state-')), 'verify.state');
    expect((await runCli(['verify', first, '--key', key, '--state', file])).code).toBe(0);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace(/"frontier": "[0-9a-f]+"/, '"frontier": "zz"'));
    const damaged = await runCli(['verify', second, '--key', key, '--state', file]);
    expect(damaged.code).toBe(2);
    expect(damaged.err).toBe(
      `governess verify: cannot resume verification from state file ${file} field frontier: must be lower-case hex bytes`,
    );
    writeFileSync(file, good);
    const other = generateSigner('governess.test/exports');
    const wrongKey = await runCli(['verify', second, '--key', other.verifierKey, '--state', file]);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.err).toMatch(
      /saved for the log key governess\.test\/exports\+[0-9a-f]{8}, which is not among the keys given/,
    );
    expect((await runCli(['verify', second, '--key', key, '--full'])).code).toBe(2);
  });

  it('works on a database: the second run reads only what was appended', async () => {
    const db = join(mkdtempSync(join(dir, 'db-')), 'ledger.sqlite');
    const file = join(dir, 'db.state');
    const ledger = await openLedger(db);
    await append(ledger, 12, 'db');
    await ledger.checkpoint();
    const a = await runCli(['verify', '--db', `sqlite:${db}`, '--key', key, '--state', file]);
    expect(a.code).toBe(0);
    await append(ledger, 4, 'db');
    await ledger.checkpoint();
    const b = await runCli(['verify', '--db', `sqlite:${db}`, '--key', key, '--state', file]);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out)).toMatchObject({ mode: 'incremental', from: 12, to: 16, receipts: 4 });
    await ledger.close();
    expect(existsSync(file)).toBe(true);
  });
});
