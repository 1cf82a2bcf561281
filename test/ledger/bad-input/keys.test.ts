// A wrong public key: a valid key of another signer, a key with the log's name but another key (so another
// hash), a key string whose hash does not match its key data, and malformed key strings and files. A key that
// cannot be read exits 2 naming the field; a readable key that did not sign the log fails verification (exit 1)
// naming the checkpoint and both keys. The database is not changed by any of it.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, SqliteStore, generateSigner, verifyExport, verifyStore } from '../../../src/ledger/index.js';
import { SimulatedClock } from '../../../src/runtime/clock/index.js';
import { draft } from '../../support/ledger.js';
import { runCli } from '../../support/verify.js';

const log = generateSigner('governess.test/keys');
const stranger = generateSigner('governess.test/stranger');
const impostor = generateSigner('governess.test/keys'); // the log's name, another key: another key ID
let dir: string;
let dbPath: string;
let exportDir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gov-keys-'));
  dbPath = join(dir, 'ledger.sqlite');
  exportDir = join(dir, 'export');
  const ledger = await Ledger.open({
    store: new SqliteStore({ path: dbPath }),
    clock: new SimulatedClock(),
    signer: log.signer,
    checkpointIntervalMs: 0,
    groupCommit: { maxDelayMs: 0 },
  });
  await Promise.all(Array.from({ length: 30 }, () => ledger.append(draft())));
  await ledger.export(exportDir);
  await ledger.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const label = (k: typeof log): string => k.verifierKey.split('+').slice(0, 2).join('+');

describe('a readable key that did not sign the log', () => {
  it('another signer: the checkpoint fails GOV_SIGNATURE_INVALID naming the signer and the key given', async () => {
    const store = new SqliteStore({ path: dbPath });
    const before = sha(dbPath);
    const report = await verifyStore(store, { keys: [stranger.verifier] });
    await store.close();
    expect(report.first_failure).toEqual({
      where: 'stored checkpoint 30',
      problem: `signature check failed for stored checkpoint 30: no signature by a known key (signed by ${label(log)}; known keys: ${label(stranger)})`,
      code: 'GOV_SIGNATURE_INVALID',
    });
    expect(sha(dbPath)).toBe(before);
    const viaExport = await verifyExport(exportDir, { keys: [stranger.verifier] });
    expect(viaExport.first_failure).toMatchObject({
      where: 'manifest.json checkpoint',
      code: 'GOV_SIGNATURE_INVALID',
    });
  });

  it("the log's name with another key: the problem points at the different key ID", async () => {
    const report = await verifyExport(exportDir, { keys: [impostor.verifier] });
    expect(report.first_failure?.code).toBe('GOV_SIGNATURE_INVALID');
    expect(report.first_failure?.problem).toContain(
      `the signature by governess.test/keys has key ID ${log.verifierKey.split('+')[1]}, not that of the known key`,
    );
  });

  it('through the CLI: exit 1, naming the checkpoint', async () => {
    const run = await runCli(['verify', '--db', `sqlite:${dbPath}`, '--key', stranger.verifierKey]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^FAILED at stored checkpoint 30: .*no signature by a known key/);
    const exp = await runCli(['verify', exportDir, '--key', impostor.verifierKey]);
    expect(exp.code).toBe(1);
    expect(JSON.parse(exp.out).first_failure.where).toBe('manifest.json checkpoint');
  });
});

describe('a key that cannot be read: exit 2 naming the field', () => {
  // Key data is base64 and may itself hold '+': cut at the first two only.
  const [name, hash] = log.verifierKey.split('+') as [string, string];
  const data = log.verifierKey.slice(name.length + hash.length + 2);
  const wrongHash = ((Number.parseInt(hash, 16) ^ 1) >>> 0).toString(16).padStart(8, '0');
  it.each([
    [
      'the right name and key data with another hash',
      `${name}+${wrongHash}+${data}`,
      `invalid key --key, field 2 (key ID): key ID ${wrongHash} does not match the key`,
    ],
    [
      'a hash that is not 8 hex digits',
      `${name}+abc+${data}`,
      'invalid key --key, field 2 (key ID): key ID must be 8 lowercase hex digits',
    ],
    [
      'key data that is not base64',
      `${name}+${hash}+!!!!`,
      'invalid key --key, field 3 (key data): key data',
    ],
    ['a truncated key', log.verifierKey.slice(0, -8), 'invalid key --key, field 3 (key data): key data'],
    [
      'a space in the name',
      `a b+${hash}+${data}`,
      'invalid key --key, field 1 (key name): key name contains the space',
    ],
    ['a signer (private) key', log.signerKey, 'invalid key --key: this is a signer (private) key'],
    [
      'a missing key file',
      '/nonexistent/verifier.key',
      'invalid key --key: "/nonexistent/verifier.key" is neither a file nor a verifier key',
    ],
  ])('%s', async (_label, keyArg, message) => {
    const run = await runCli(['verify', '--db', `sqlite:${dbPath}`, '--key', keyArg]);
    expect(run.code).toBe(2);
    expect(run.err.split('\n')[0]).toContain(`governess verify: ${message}`);
    expect(run.err).not.toContain(log.signerKey.split('+').slice(4).join('+'));
  });

  it('a key file with a bad second line names the file and line', async () => {
    const file = join(dir, 'keys.txt');
    writeFileSync(file, `${log.verifierKey}\n${name}+${hash}+AAAA\n`);
    const run = await runCli(['verify', exportDir, '--key', file]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`invalid key verifier key file ${file} line 2, field 3 (key data)`);
  });
});
