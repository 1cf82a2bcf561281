import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerErrors } from '../../../src/errors/index.js';
import {
  generateSigner,
  readSignerKeyFile,
  readVerifierKeyFile,
  writeSignerKeyFile,
  writeVerifierKeyFile,
} from '../../../src/ledger/checkpoint/index.js';
import { expectGovernessErrorAsync } from './expect-error.js';
import { GO_NOTE } from './golden-vectors.js';

const posix = process.platform !== 'win32';
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'governess-keys-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('signer key files', () => {
  it('are written as one line with mode 0600 and read back', async () => {
    const key = generateSigner('ledger.example/log');
    const path = join(dir, 'log.key');
    await writeSignerKeyFile(path, key.signerKey);
    expect(await readFile(path, 'utf8')).toBe(`${key.signerKey}\n`);
    if (posix) expect((await stat(path)).mode & 0o777).toBe(0o600);
    const signer = await readSignerKeyFile(path);
    expect(signer.verifierKey).toBe(key.verifierKey);
  });

  it('are never overwritten', async () => {
    const path = join(dir, 'once.key');
    await writeSignerKeyFile(path, generateSigner('a').signerKey);
    await expectGovernessErrorAsync(
      () => writeSignerKeyFile(path, generateSigner('a').signerKey),
      LedgerErrors.badKey,
      `signer key file ${path}`,
      /already exists/,
    );
  });

  it.runIf(posix)('are refused when group or others can read them', async () => {
    const path = join(dir, 'open.key');
    await writeSignerKeyFile(path, generateSigner('a').signerKey);
    await chmod(path, 0o644);
    await expectGovernessErrorAsync(
      () => readSignerKeyFile(path),
      LedgerErrors.badKey,
      `signer key file ${path}`,
      /file mode 0644 lets other users read the key; run chmod 600/,
    );
  });

  it('must hold a valid signer key, and are not written otherwise', async () => {
    const path = join(dir, 'bad.key');
    await expectGovernessErrorAsync(
      () => writeSignerKeyFile(path, GO_NOTE.peterVerifierKey),
      LedgerErrors.badKey,
      `signer key file ${path}`,
    );
    await writeFile(path, `${GO_NOTE.peterSignerKey}\n\n`, { mode: 0o600 });
    await expectGovernessErrorAsync(
      () => readSignerKeyFile(path),
      LedgerErrors.badKey,
      `signer key file ${path}, field 5 (key data)`,
    );
  });

  it('report a missing file with its path', async () => {
    const path = join(dir, 'missing.key');
    await expectGovernessErrorAsync(
      () => readSignerKeyFile(path),
      LedgerErrors.badKey,
      `signer key file ${path}`,
      /ENOENT/,
    );
  });
});

describe('verifier key files', () => {
  it('hold one key per line, e.g. the old and new key of a rotation', async () => {
    const path = join(dir, 'log.pub');
    const [a, b] = [generateSigner('log'), generateSigner('log')];
    await writeVerifierKeyFile(path, [a.verifierKey, b.verifierKey]);
    expect(await readFile(path, 'utf8')).toBe(`${a.verifierKey}\n${b.verifierKey}\n`);
    if (posix) expect((await stat(path)).mode & 0o777).toBe(0o644);
    expect((await readVerifierKeyFile(path)).map((v) => v.keyId)).toEqual([
      a.verifier.keyId,
      b.verifier.keyId,
    ]);
  });

  it('name the bad line', async () => {
    const path = join(dir, 'bad.pub');
    await writeFile(path, `${GO_NOTE.peterVerifierKey}\nnot a key\n`);
    await expectGovernessErrorAsync(
      () => readVerifierKeyFile(path),
      LedgerErrors.badKey,
      `verifier key file ${path} line 2`,
    );
    await writeFile(path, '');
    await expectGovernessErrorAsync(
      () => readVerifierKeyFile(path),
      LedgerErrors.badKey,
      `verifier key file ${path}`,
      /empty/,
    );
    await expectGovernessErrorAsync(
      () => writeVerifierKeyFile(path, [GO_NOTE.peterVerifierKey, GO_NOTE.peterSignerKey]),
      LedgerErrors.badKey,
      `verifier key file ${path} line 2`,
      /signer \(private\) key/,
    );
  });
});
