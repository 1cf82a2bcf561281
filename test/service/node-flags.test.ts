// The service's V8 settings are defined once (src/service/node-flags.ts); `npm start` must pass them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVICE_NODE_FLAGS } from '../../src/service/node-flags.js';

describe('service node flags', () => {
  it('npm start passes every service flag', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const start = pkg.scripts['start']?.split(/\s+/) ?? [];
    expect(SERVICE_NODE_FLAGS.length).toBeGreaterThan(0);
    for (const flag of SERVICE_NODE_FLAGS) expect(start).toContain(flag);
  });

  it('each flag is one node option that node accepts in NODE_OPTIONS', async () => {
    const { execFileSync } = await import('node:child_process');
    for (const flag of SERVICE_NODE_FLAGS) {
      expect(flag).toMatch(/^--[a-z0-9-]+(=\S+)?$/);
      const out = execFileSync(process.execPath, ['-e', 'process.stdout.write("ok")'], {
        env: { ...process.env, NODE_OPTIONS: flag },
      });
      expect(out.toString()).toBe('ok');
    }
  });
});
