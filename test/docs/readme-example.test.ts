import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

describe('README example', () => {
  it('is exactly examples/door.ts', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(readFileSync(new URL('examples/door.ts', root), 'utf8'));
  });

  it('runs and prints what its comments promise', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/door.ts'], {
      cwd: root,
    });
    expect(stdout.trim().split('\n')).toEqual(['wrong_code', 'ok', '1']);
  });
});
