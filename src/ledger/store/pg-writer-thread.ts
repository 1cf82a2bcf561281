// The PostgreSQL writer thread: holds the writer connection of every PostgresStore of the process and runs their
// commits (pg-batch-writer.ts). A commit is a chain of round trips (BEGIN, log state, receipts, tiles, side
// rows, COMMIT); on the main thread each answer waited for the event loop to come round, behind steps, sealing
// and replies, and a batch took tens of milliseconds for a few of database work. Here the answers are handled
// as they come, and the statements' parameters are built off the main thread. Started as one bundled module
// (../worker-bundle.ts).
import { parentPort } from 'node:worker_threads';
import pg from 'pg';
import { GovernessError } from '../../errors/index.js';
import { PgBatchWriter } from './pg-batch-writer.js';
import { SideTables } from './side-tables.js';
import type { PgWriterReply, PgWriterRequest } from './pg-writer.js';
import type { TableDef } from './types.js';

const port = parentPort;
if (port === null) throw new Error('pg-writer-thread runs only as a worker thread');

interface Connection {
  readonly client: pg.Client;
  readonly writer: PgBatchWriter;
  /** Set when the connection reported an error outside a query (the server ended it, the network failed). */
  broken: Error | null;
  /** The end of this connection's queue: its commits run one after another, never interleaved. */
  tail: Promise<unknown>;
}

const connections = new Map<number, Connection>();

function answer(reply: PgWriterReply): void {
  port?.postMessage(reply);
}

/** What crosses back for a failure: a GovernessError keeps its code and details, anything else its message. */
function failure(err: unknown): PgWriterReply['error'] {
  if (err instanceof GovernessError) return { code: err.code, details: err.details, message: err.message };
  return { message: err instanceof Error ? err.message : String(err) };
}

async function handle(m: PgWriterRequest): Promise<void> {
  switch (m.type) {
    case 'open': {
      // Named, so an operator (or a test) can tell the writer from the readers in pg_stat_activity.
      const client = new pg.Client({
        connectionString: m.connectionString,
        options: m.options,
        application_name: `governess writer ${m.store}`.slice(0, 63),
      });
      const conn: Connection = {
        client,
        writer: new PgBatchWriter(client, tablesOf(m.tables), m.size, m.nextLedgerNo, m.store),
        broken: null,
        tail: Promise.resolve(),
      };
      // Without a listener an 'error' event would end the thread and every other store's connection with it.
      client.on('error', (err) => (conn.broken ??= err));
      await client.connect();
      connections.set(m.conn, conn);
      return;
    }
    case 'commit': {
      const conn = connections.get(m.conn);
      if (conn === undefined) throw new Error('writer connection is closed');
      const run = conn.tail.then(() => {
        if (conn.broken !== null) throw new Error(`writer connection failed: ${conn.broken.message}`);
        return conn.writer.commit(m.batch);
      });
      conn.tail = run.catch(() => undefined);
      await run;
      return;
    }
    case 'close': {
      const conn = connections.get(m.conn);
      connections.delete(m.conn);
      await conn?.tail;
      await conn?.client.end().catch(() => undefined);
      return;
    }
  }
}

function tablesOf(defs: readonly TableDef[]): SideTables {
  const tables = new SideTables();
  for (const def of defs) tables.define(def);
  return tables;
}

port.on('message', (m: PgWriterRequest) => {
  handle(m).then(
    () => answer({ id: m.id, ok: true }),
    (err: unknown) => answer({ id: m.id, ok: false, error: failure(err) }),
  );
});
