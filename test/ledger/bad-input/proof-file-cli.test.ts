// `governess verify --proof F --receipt F` with malformed C2SP tlog-proof files: every structural fault (missing
// header, bad index, bad base64 hash, wrong hash length, truncated checkpoint, extra lines) exits 2 with the
// file and line number on stderr; a well-formed proof that does not verify exits 1 with a JSON report.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, MemoryStore, generateSigner } from '../../../src/ledger/index.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import { draft } from '../../support/ledger.js';
import { runCli } from '../../support/verify.js';

const keys = generateSigner('governess.test/proofs');
let dir: string;
let proof: string;
let receiptPath: string;
let otherReceiptPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gov-proof-'));
  const ledger = await Ledger.open({
    store: new MemoryStore(),
    clock: new SimulatedClock(),
    signer: keys.signer,
    checkpointIntervalMs: 0,
    groupCommit: { maxDelayMs: 0 },
  });
  const acks = await Promise.all(
    Array.from({ length: 13 }, (_, i) => ledger.append(draft({ metadata: { i } }))),
  );
  proof = await ledger.proof(acks[5]!.receipt.receipt_id);
  const bytes = async (i: number): Promise<Uint8Array> =>
    (await ledger.get(acks[i]!.receipt.receipt_id))!.bytes;
  receiptPath = join(dir, 'receipt.json');
  otherReceiptPath = join(dir, 'other.json');
  writeFileSync(receiptPath, await bytes(5));
  writeFileSync(otherReceiptPath, await bytes(6));
  await ledger.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(text: string): string {
  const p = join(mkdtempSync(join(dir, 'p-')), 'receipt.tlog-proof');
  writeFileSync(p, text);
  return p;
}

function verify(proofPath: string, receipt = receiptPath): ReturnType<typeof runCli> {
  return runCli(['verify', '--proof', proofPath, '--receipt', receipt, '--key', keys.verifierKey]);
}

/** The proof's lines: header, index, 4 hashes (13 leaves, index 5), blank, checkpoint (3), blank, signature. */
const lines = (): string[] => proof.split('\n');

describe('governess verify --proof', () => {
  it('verifies a good proof (exit 0), and its layout is what the cases below cut into', async () => {
    expect(lines().slice(0, 2)).toEqual(['c2sp.org/tlog-proof@v1', 'index 5']);
    expect(lines()[6]).toBe('');
    const run = await verify(write(proof));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual({
      ok: true,
      index: 5,
      checkpoint_size: 13,
      origin: 'governess.test/proofs',
    });
  });

  const structural: readonly [string, () => string, number, RegExp][] = [
    [
      'a missing header',
      () => lines().slice(1).join('\n'),
      1,
      /expected the header "c2sp\.org\/tlog-proof@v1"/,
    ],
    ['another header version', () => proof.replace('@v1', '@v2'), 1, /expected the header/],
    [
      'an index with a leading zero',
      () => proof.replace('index 5', 'index 05'),
      2,
      /\(index\): index .*leading zero/,
    ],
    ['a negative index', () => proof.replace('index 5', 'index -5'), 2, /\(index\)/],
    ['no index line', () => proof.replace('index 5\n', ''), 2, /\(index\): expected "index <N>"/],
    [
      'a hash that is not base64',
      () => proof.replace(lines()[3]!, '%%%%'),
      4,
      /\(inclusion proof hash 2\): hash/,
    ],
    [
      'a URL-safe hash',
      () => proof.replace(lines()[3]!, lines()[3]!.replace(/[+/]/g, '-').replace(/=$/, '')),
      4,
      /inclusion proof hash 2/,
    ],
    [
      'a 31-byte hash',
      () => proof.replace(lines()[3]!, Buffer.alloc(31, 1).toString('base64')),
      4,
      /hash is 31 bytes, not 32/,
    ],
    [
      'a 33-byte hash',
      () => proof.replace(lines()[4]!, Buffer.alloc(33, 1).toString('base64')),
      5,
      /hash is 33 bytes, not 32/,
    ],
    ['a checkpoint cut after its origin', () => lines().slice(0, 8).join('\n') + '\n', 8, /./],
    [
      'a checkpoint cut before its signature',
      () => lines().slice(0, 11).join('\n') + '\n',
      11,
      /no signature lines/,
    ],
    ['a checkpoint cut inside its signature line', () => proof.slice(0, -20), 12, /newline/],
    [
      'a checkpoint missing entirely',
      () => lines().slice(0, 7).join('\n') + '\n',
      8,
      /signed checkpoint is missing/,
    ],
    [
      'a second extra line',
      () => proof.replace('index 5', 'extra AA==\nextra AA==\nindex 5'),
      3,
      /expected "index <N>"/,
    ],
    ['an extra line after the signature', () => `${proof}trailing words\n`, 13, /must start with an em dash/],
    ['a carriage return', () => proof.replace('index 5\n', 'index 5\r\n'), 2, /U\+000D/],
  ];

  it.each(structural)('exits 2 for %s, naming the file and line', async (_label, make, line, problem) => {
    const p = write(make());
    const run = await verify(p);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    const message = run.err.split('\n')[0]!;
    expect(message).toMatch(new RegExp(`^governess verify: invalid proof ${escape(p)} lines? ${line}\\b`));
    expect(message).toMatch(problem);
  });

  it('exits 1 with a report when a well-formed proof does not verify', async () => {
    const p = write(proof);
    const other = await verify(p, otherReceiptPath);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.out).first_failure.where).toBe(`${p} lines 3-6 (inclusion proof)`);
    const changedIndex = write(proof.replace('index 5', 'index 4'));
    expect((await verify(changedIndex)).code).toBe(1);
    const wrongKey = await runCli([
      'verify',
      '--proof',
      p,
      '--receipt',
      receiptPath,
      '--key',
      generateSigner('governess.test/proofs').verifierKey,
    ]);
    expect(wrongKey.code).toBe(1);
    expect(JSON.parse(wrongKey.out).first_failure.code).toBe('GOV_SIGNATURE_INVALID');
  });

  it('exits 1 naming the receipt file when it is not the stored bytes (e.g. pretty-printed)', async () => {
    const pretty = join(dir, 'pretty.json');
    writeFileSync(
      pretty,
      JSON.stringify(
        JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(receiptPath, 'utf8'))),
        null,
        2,
      ),
    );
    const run = await verify(write(proof), pretty);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out).first_failure).toMatchObject({ where: pretty, code: 'GOV_NOT_CANONICAL' });
  });

  it('exits 2 for a missing proof file, and for --proof with --state', async () => {
    const missing = await verify(join(dir, 'nope.tlog-proof'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no such file or directory.*nope\.tlog-proof/);
    const withState = await runCli([
      'verify',
      '--proof',
      write(proof),
      '--receipt',
      receiptPath,
      '--key',
      keys.verifierKey,
      '--state',
      join(dir, 's'),
    ]);
    expect(withState.code).toBe(2);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
