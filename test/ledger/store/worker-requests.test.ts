// WorkerRequests: the request/reply channel of the SQLite and PostgreSQL writer threads.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { WorkerRequests, type WorkerReply } from '../../../src/ledger/store/worker-requests.js';

/** A thread that answers `{ echo }` with `{ id, ok, echo }`, and exits on `{ exit: true }` without answering. */
function echoThread(): Worker {
  return new Worker(
    `const { parentPort } = require('node:worker_threads');
     parentPort.on('message', (m) => {
       if (m.exit) process.exit(3);
       setTimeout(() => parentPort.postMessage({ id: m.id, ok: m.echo !== 'fail', echo: m.echo }), m.delay ?? 0);
     });`,
    { eval: true },
  );
}

interface Echo extends WorkerReply {
  readonly echo: string;
}

describe('WorkerRequests', () => {
  it('matches replies to requests by id, in whatever order they come, ok or not', async () => {
    const r = new WorkerRequests<Echo>(echoThread(), 'echo thread');
    try {
      const slow = r.request({ echo: 'slow', delay: 30 });
      const fast = r.request({ echo: 'fast' });
      const failed = r.request({ echo: 'fail' });
      expect(await fast).toMatchObject({ ok: true, echo: 'fast' });
      expect(await failed).toMatchObject({ ok: false, echo: 'fail' });
      expect(await slow).toMatchObject({ ok: true, echo: 'slow' });
    } finally {
      await r.worker.terminate();
    }
  });

  it('a thread that dies fails every outstanding request and every later one, and reports its death once', async () => {
    let deaths = 0;
    const r = new WorkerRequests<Echo>(echoThread(), 'echo thread', () => deaths++);
    const waiting = r.request({ echo: 'never', delay: 10_000 });
    const killer = r.request({ exit: true });
    await expect(waiting).rejects.toThrow('echo thread exited (code 3)');
    await expect(killer).rejects.toThrow('echo thread exited (code 3)');
    await expect(r.request({ echo: 'late' })).rejects.toThrow('echo thread exited (code 3)');
    expect(r.dead).not.toBeNull();
    expect(deaths).toBe(1);
  });
});
