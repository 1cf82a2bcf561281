// Requests to a worker thread, each answered by one reply carrying its id: what the SQLite and PostgreSQL writer
// threads share. The thread holds the process open only while a request is outstanding, so a forgotten store
// never keeps a program alive, and a thread that dies fails every outstanding request instead of leaving it
// hanging.
import type { Worker } from 'node:worker_threads';

/** A worker thread's answer to the request with the same id. */
export interface WorkerReply {
  readonly id: number;
  readonly ok: boolean;
}

/** The outstanding requests to one worker thread. */
export class WorkerRequests<R extends WorkerReply> {
  private readonly waiting = new Map<number, { resolve: (reply: R) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  /** Why the thread is gone, once it is. */
  dead: Error | null = null;

  /** Takes over `worker`'s messages; `what` names it in the error of an unexpected exit. */
  constructor(
    readonly worker: Worker,
    what: string,
    private readonly onDeath: () => void = () => undefined,
  ) {
    worker.unref();
    worker.on('message', (reply: R) => this.settle(reply));
    worker.on('error', (err) => this.die(err));
    worker.on('exit', (code) => this.die(new Error(`${what} exited (code ${code})`)));
  }

  /** Posts `message` with a fresh `id`; resolves with the reply that carries it, whether `ok` or not. */
  request(message: object, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.dead !== null) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private settle(reply: R): void {
    const w = this.waiting.get(reply.id);
    if (w === undefined) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker.unref();
    w.resolve(reply);
  }

  private die(err: Error): void {
    if (this.dead === null) this.onDeath();
    this.dead ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
