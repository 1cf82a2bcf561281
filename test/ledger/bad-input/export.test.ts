// A damaged export: a malformed manifest is refused naming the field (GOV_EXPORT_INVALID), and a blank, broken
// or unterminated line of receipts.jsonl is named by its line number; the CLI exits 1 with the same place.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, MemoryStore, generateSigner, verifyExport } from '../../../src/ledger/index.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import { draft } from '../../support/ledger.js';
import { runCli } from '../../support/verify.js';

const keys = generateSigner('governess.test/export');
let dir: string;
let exportDir: string;
let manifestText: string;
let receipts: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gov-export-bad-'));
  exportDir = join(dir, 'export');
  const ledger = await Ledger.open({
    store: new MemoryStore(),
    clock: new SimulatedClock(),
    signer: keys.signer,
    checkpointIntervalMs: 0,
    groupCommit: { maxDelayMs: 0 },
  });
  await Promise.all(Array.from({ length: 12 }, (_, i) => ledger.append(draft({ tenant_id: `t${i % 3}` }))));
  const first = await ledger.export(join(dir, 'first'));
  await Promise.all(Array.from({ length: 6 }, (_, i) => ledger.append(draft({ tenant_id: `t${i % 3}` }))));
  await ledger.export(exportDir, { previous: first });
  await ledger.close();
  manifestText = readFileSync(join(exportDir, 'manifest.json'), 'utf8');
  receipts = readFileSync(join(exportDir, 'receipts.jsonl'), 'utf8');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function exportWith(manifest: string, body = receipts): string {
  const d = mkdtempSync(join(dir, 'x-'));
  writeFileSync(join(d, 'manifest.json'), manifest);
  writeFileSync(join(d, 'receipts.jsonl'), body);
  return d;
}

function editManifest(edit: (m: Record<string, unknown>) => void): string {
  const m = JSON.parse(manifestText) as Record<string, unknown>;
  edit(m);
  return JSON.stringify(m);
}

describe('a malformed manifest', () => {
  it('the untouched export verifies, with its consistency proof from the previous export', async () => {
    const report = await verifyExport(exportWith(manifestText), { keys: [keys.verifier] });
    expect(report.failures).toEqual([]);
    expect(report.receipts).toBe(18);
  });

  it.each([
    ['not JSON', () => manifestText.slice(0, 30), 'manifest.json', /not valid JSON/],
    ['an array', () => '[]', 'manifest.json', /must be a JSON object/],
    [
      'another format',
      () => editManifest((m) => (m['format'] = 'governess.export/v9')),
      'manifest.json field format',
      /this build reads governess\.export\/v1/,
    ],
    [
      'no origin',
      () => editManifest((m) => delete m['origin']),
      'manifest.json field origin',
      /non-empty string/,
    ],
    [
      'to as a string',
      () => editManifest((m) => (m['to'] = '18')),
      'manifest.json field to',
      /integer of at least 0, got "18"/,
    ],
    [
      'from after to',
      () => editManifest((m) => (m['from'] = 19)),
      'manifest.json field from',
      /19 is after to \(18\)/,
    ],
    [
      'a checkpoint that is a number',
      () => editManifest((m) => (m['checkpoint'] = 18)),
      'manifest.json field checkpoint',
      /non-empty string/,
    ],
    [
      'a frontier that is not hex',
      () => editManifest((m) => (m['frontier_at_from'] = 'zz')),
      'manifest.json field frontier_at_from',
      /hex/,
    ],
    [
      'a frontier with from 0',
      () => editManifest((m) => (m['frontier_at_from'] = 'abcd')),
      'manifest.json field frontier_at_from',
      /empty when from is 0/,
    ],
    [
      'previous as a string',
      () => editManifest((m) => (m['previous'] = 'yesterday')),
      'manifest.json field previous',
      /null or/,
    ],
    [
      'previous without a proof',
      () => editManifest((m) => ((m['previous'] as Record<string, unknown>)['consistency_proof'] = 'x')),
      'manifest.json field previous.consistency_proof',
      /array/,
    ],
    [
      'a proof hash that is not base64',
      () =>
        editManifest(
          (m) => ((m['previous'] as { consistency_proof: string[] }).consistency_proof[0] = '$$$$'),
        ),
      'manifest.json field previous.consistency_proof[0]',
      /base64/,
    ],
    [
      'files naming another file',
      () => editManifest((m) => (m['files'] = { receipts: 'other.jsonl' })),
      'manifest.json field files',
      /receipts\.jsonl/,
    ],
  ])('%s: names the field with GOV_EXPORT_INVALID', async (_label, make, where, problem) => {
    const report = await verifyExport(exportWith(make()), { keys: [keys.verifier] });
    expect(report.ok).toBe(false);
    expect(report.first_failure?.where).toBe(where);
    expect(report.first_failure?.code).toBe('GOV_EXPORT_INVALID');
    expect(report.first_failure?.problem).toMatch(problem);
  });

  it('ignores a field it does not know, and says so', async () => {
    const report = await verifyExport(exportWith(editManifest((m) => (m['comment'] = 'hi'))), {
      keys: [keys.verifier],
    });
    expect(report.ok).toBe(true);
    expect(report.notes).toContain('manifest.json fields not known to this build, ignored: comment');
  });

  it('a missing manifest or receipts file is named', async () => {
    const noManifest = mkdtempSync(join(dir, 'x-'));
    copyFileSync(join(exportDir, 'receipts.jsonl'), join(noManifest, 'receipts.jsonl'));
    expect((await verifyExport(noManifest)).first_failure).toMatchObject({
      where: 'manifest.json',
      code: 'GOV_EXPORT_INVALID',
    });
    const noReceipts = mkdtempSync(join(dir, 'x-'));
    copyFileSync(join(exportDir, 'manifest.json'), join(noReceipts, 'manifest.json'));
    expect((await verifyExport(noReceipts, { keys: [keys.verifier] })).first_failure).toMatchObject({
      where: 'receipts.jsonl',
      code: 'GOV_EXPORT_INVALID',
    });
  });
});

describe('a damaged receipts.jsonl', () => {
  const lines = (): string[] => receipts.split('\n').slice(0, -1);
  const body = (ls: string[]): string => ls.map((l) => `${l}\n`).join('');

  it('a blank line is named and skipped: it is the only failure', async () => {
    const ls = lines();
    ls.splice(4, 0, '');
    const report = await verifyExport(exportWith(manifestText, body(ls)), { keys: [keys.verifier] });
    expect(report.failures).toEqual([
      {
        where: 'receipts.jsonl line 5',
        problem: 'blank line: every line must hold exactly one receipt',
        code: 'GOV_EXPORT_INVALID',
      },
    ]);
    expect(report.receipts).toBe(18);
  });

  it('a broken line (cut short) names the line and index', async () => {
    const ls = lines();
    ls[6] = ls[6]!.slice(0, 50);
    const report = await verifyExport(exportWith(manifestText, body(ls)), { keys: [keys.verifier] });
    expect(report.first_failure).toMatchObject({
      where: 'receipts.jsonl line 7 (index 6)',
      code: 'GOV_NOT_CANONICAL',
    });
  });

  it('a line of something else than a receipt names the line', async () => {
    const ls = lines();
    ls[2] = '{"hello":"world"}';
    const report = await verifyExport(exportWith(manifestText, body(ls)), { keys: [keys.verifier] });
    expect(report.first_failure).toMatchObject({
      where: 'receipts.jsonl line 3 (index 2)',
      code: 'GOV_RECEIPT_SCHEMA',
    });
  });

  it('a last line without its newline is named', async () => {
    const report = await verifyExport(exportWith(manifestText, receipts.slice(0, -1)), {
      keys: [keys.verifier],
    });
    expect(report.first_failure).toMatchObject({
      where: 'receipts.jsonl line 18',
      code: 'GOV_EXPORT_INVALID',
    });
    expect(report.first_failure?.problem).toMatch(/no final newline/);
  });

  it('through the CLI: exit 1 naming the line; exit 1 naming the manifest field', async () => {
    const ls = lines();
    ls.splice(9, 0, '');
    const run = await runCli(['verify', exportWith(manifestText, body(ls)), '--key', keys.verifierKey]);
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      'FAILED at receipts.jsonl line 10: blank line: every line must hold exactly one receipt',
    );
    const bad = await runCli([
      'verify',
      exportWith(editManifest((m) => delete m['to'])),
      '--key',
      keys.verifierKey,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^FAILED at manifest\.json field to: /);
  });
});
