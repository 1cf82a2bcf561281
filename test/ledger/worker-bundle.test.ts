// Worker threads start from one bundled module (src/ledger/worker-bundle.ts): the check worker's
// TypeScript graph in one plain JavaScript module that a thread loads with no loader. parallel.test.ts proves
// the reports equal the in-thread path's; this pins what the bundle is.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { bundledWorker } from '../../src/ledger/worker-bundle.js';

const entry = new URL('../../src/ledger/verify/check-worker.ts', import.meta.url);

/** The module text behind a data: URL. */
function codeOf(url: URL): string {
  const [, base64] = url.href.split(';base64,');
  return Buffer.from(base64 ?? '', 'base64').toString('utf8');
}

/** The PostgreSQL writer thread's entry: it uses a CommonJS package (pg), bundled in too. */
const pgEntry = new URL('../../src/ledger/store/pg-writer-thread.ts', import.meta.url);

describe('bundled worker module', () => {
  it.each([
    ['the check worker', entry, 'checkChunk'],
    ['the PostgreSQL writer thread', pgEntry, 'PgBatchWriter'],
  ])('%s is made once per process and imports nothing but node: built-ins', (_, at, inside) => {
    const url = bundledWorker(at);
    expect(bundledWorker(at)).toBe(url);
    expect(url.protocol).toBe('data:');
    const code = codeOf(url);
    const specifiers = [...code.matchAll(/\bfrom\s*"([^"]+)"|\bimport\s*\(\s*"([^"]+)"\s*\)/g)].map(
      (m) => m[1] ?? m[2],
    );
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !s!.startsWith('node:'))).toEqual([]);
    // The worker's own code is in it, not imported at run time.
    expect(code).toContain(inside);
  });

  it('starts a thread with no loader flags that answers a request', async () => {
    const worker = new Worker(bundledWorker(entry), { execArgv: [] });
    try {
      const reply = await new Promise<{ id: number; error?: string }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        // A request the worker cannot read: it answers with an error for that id rather than dying.
        worker.postMessage({ id: 7, packed: null, receipt: {} });
      });
      expect(reply.id).toBe(7);
      expect(reply.error).toEqual(expect.any(String));
    } finally {
      await worker.terminate();
    }
  });

  it('names the file when esbuild cannot bundle it', () => {
    expect(() => bundledWorker(new URL('file:///nonexistent/worker.ts'))).toThrow(/worker\.ts/);
  });
});
