import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../src/service/cli/main.js';

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
});
