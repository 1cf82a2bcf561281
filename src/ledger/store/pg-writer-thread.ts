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
import type { PgWriterOpenOptions, PgWriterReply, PgWriterRequest } from './pg-writer.js';
import type { TableDef } from './types.js';

const port = parentPort;
if (port === null) throw new Error('pg-writer-thread runs only as a worker thread');

interface Connection {
  client: pg.Client;
  readonly writer: PgBatchWriter;
  /** How to open the connection again (see reconnect). */
  readonly open: PgWriterOpenOptions;
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
      const client = newClient(m);
      const conn: Connection = {
        client,
        writer: new PgBatchWriter(client, tablesOf(m.tables), m.size, m.nextLedgerNo, m.store),
        open: m,
        broken: null,
        tail: Promise.resolve(),
      };
      watch(conn, client);
      await client.connect();
      connections.set(m.conn, conn);
      return;
    }
    case 'commit': {
      const conn = connections.get(m.conn);
      if (conn === undefined) throw new Error('writer connection is closed');
      const run = conn.tail.then(async () => {
        if (conn.broken !== null) await reconnect(conn);
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

/** The writer connection, named so an operator (or a test) can tell it from the readers in pg_stat_activity. */
function newClient(o: PgWriterOpenOptions): pg.Client {
  return new pg.Client({
    connectionString: o.connectionString,
    options: o.options,
    application_name: `governess writer ${o.store}`.slice(0, 63),
    connectionTimeoutMillis: o.connectTimeoutMs,
  });
}

/**
 * Marks the connection broken when its client reports an error outside a query (the server ended it, the network
 * failed). Without a listener the 'error' event would end the thread and every other store's connection with it.
 */
function watch(conn: Connection, client: pg.Client): void {
  client.on('error', (err) => {
    if (conn.client === client) conn.broken ??= err;
  });
}

/**
 * Replaces a connection that broke while idle, before a batch is sent on it. Nothing of that batch reached the
 * old one, so it can go on the new one: a connection the server ended between commits (a restart, an
 * administrator, an idle timeout) then costs no failed batch. A connection that breaks during a batch fails it,
 * as its outcome may be unknown.
 */
async function reconnect(conn: Connection): Promise<void> {
  const old = conn.client;
  const client = newClient(conn.open);
  watch(conn, client);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    const was = (conn.broken as Error).message;
    throw new Error(`writer connection failed: ${was}; reconnecting: ${(err as Error).message}`);
  }
  conn.client = client;
  conn.broken = null;
  conn.writer.useConnection(client);
  await old.end().catch(() => undefined);
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
