import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Ledger, SqliteStore, generateSigner } from '../../src/ledger/index.js';
import { SimulatedClock } from '../../src/runtime/clock/index.js';
import { main, type CliIo } from '../../src/service/cli/main.js';
import { draft } from '../support/ledger.js';

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

describe('governess CLI', () => {
  it('lists its commands for help and with no arguments', async () => {
    const io = capture();
    expect(await main([], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/usage: governess <command>/);
    expect(io.stdout.join('\n')).toMatch(/demo/);
  });

  it('rejects an unknown command with exit code 2 naming it', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.stderr[0]).toBe("governess: unknown command 'frobnicate'");
  });

  it('rejects arguments a command does not take', async () => {
    const io = capture();
    expect(await main(['demo', 'extra'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/demo takes no arguments/);
  });

  it('demo runs the minimal scenario to its expected end', async () => {
    const io = capture();
    expect(await main(['demo'], io)).toBe(0);
    expect(io.stdout).toContain('Scenario complete: 2 signals counted, 1 refused.');
    expect(io.stdout.some((l) => l.includes('stable -> refusing'))).toBe(true);
  });

  it('the installed bin runs through tsx right after npm ci', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['bin/governess.mjs', 'help']);
    expect(stdout).toMatch(/usage: governess/);
  });

  it('verify --db runs to its end in a real process (the SQLite writer thread lets it exit), then incrementally', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gov-cli-'));
    try {
      const keys = generateSigner('governess.test/cli');
      const db = join(dir, 'ledger.sqlite');
      const ledger = await Ledger.open({
        store: new SqliteStore({ path: db }),
        clock: new SimulatedClock(),
        signer: keys.signer,
        checkpointIntervalMs: 0,
        groupCommit: { maxDelayMs: 0 },
      });
      await Promise.all(Array.from({ length: 10 }, () => ledger.append(draft())));
      await ledger.checkpoint();
      await ledger.close();
      const args = ['bin/governess.mjs', 'verify', '--db', `sqlite:${db}`, '--key', keys.verifierKey];
      const state = ['--state', join(dir, 'verify.state')];
      const run = promisify(execFile);
      const first = await run(process.execPath, [...args, ...state]);
      expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, mode: 'full', receipts: 10 });
      const second = await run(process.execPath, [...args, ...state]);
      expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, mode: 'incremental', from: 10, to: 10 });
      const help = await run(process.execPath, ['bin/governess.mjs', 'verify', '--help']);
      expect(help.stdout).toMatch(/--state FILE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
