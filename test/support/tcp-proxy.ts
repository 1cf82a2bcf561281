// A TCP forwarder in front of the test PostgreSQL server, so a test can cut the network between a store and its
// database (every open connection dropped, new ones refused or left unanswered) and restore it, as an outage
// would, without touching the server the other tests share.
import net from 'node:net';
import { PostgresStore, type PostgresStoreOptions } from '../../src/ledger/index.js';
import { PG_URL, requirePostgres, throwawaySchema } from './postgres.js';

/** A forwarder listening on 127.0.0.1; `url` points a store at it. */
export interface TcpProxy extends AsyncDisposable {
  /** `target` with its host and port replaced by the forwarder's. */
  readonly url: string;
  /** Drops every forwarded connection and refuses new ones until `restore`. */
  cut(): void;
  /**
   * Drops every forwarded connection and, until `restore`, accepts new ones but never answers on them: the
   * server's packets lost rather than refused, so only a connect timeout ends the wait.
   */
  hold(): void;
  /**
   * Stops forwarding on every open connection without closing it (a network that loses their packets: a query
   * sent on one waits for an answer that never comes); new connections are forwarded as before.
   */
  freeze(): void;
  /** Forwards connections again. */
  restore(): void;
}

/** Starts a forwarder to the server of the PostgreSQL URL `target`. */
export async function tcpProxy(target: string): Promise<TcpProxy> {
  const to = new URL(target);
  const sockets = new Set<net.Socket>();
  let mode: 'up' | 'down' | 'hold' = 'up';
  const held = new Set<net.Socket>();
  const pairs = new Set<readonly [net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    if (mode === 'down') {
      client.destroy();
      return;
    }
    if (mode === 'hold') {
      held.add(client);
      client.on('error', () => undefined);
      client.on('close', () => held.delete(client));
      return;
    }
    const upstream = net.connect(Number(to.port || 5432), to.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    const pair = [client, upstream] as const;
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    cut() {
      mode = 'down';
      for (const s of sockets) s.destroy();
    },
    hold() {
      mode = 'hold';
      for (const s of sockets) s.destroy();
    },
    freeze() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
      pairs.clear();
    },
    restore() {
      mode = 'up';
      for (const s of held) s.destroy();
    },
    async [Symbol.asyncDispose]() {
      for (const s of [...sockets, ...held]) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A throwaway PostgreSQL schema reached through a TCP forwarder, for outage tests. */
export interface ProxiedSchema extends AsyncDisposable {
  readonly proxy: TcpProxy;
  readonly schema: string;
  /** A store on the schema through the forwarder (closed on dispose, before the schema is dropped). */
  store(options?: Omit<PostgresStoreOptions, 'connectionString' | 'schema'>): PostgresStore;
}

/** A forwarder to the test server and a fresh schema behind it; null when PostgreSQL is missing (skipped). */
export async function proxiedSchema(ctx: { skip: (note?: string) => void }): Promise<ProxiedSchema | null> {
  const why = await requirePostgres();
  if (why !== null) {
    ctx.skip(why);
    return null;
  }
  const proxy = await tcpProxy(PG_URL);
  const schema = throwawaySchema();
  const made: PostgresStore[] = [];
  return {
    proxy,
    schema,
    store(options = {}) {
      const s = new PostgresStore({ ...options, connectionString: proxy.url, schema });
      made.push(s);
      return s;
    },
    async [Symbol.asyncDispose]() {
      for (const s of made) await s.close();
      await new PostgresStore({ connectionString: PG_URL, schema }).dropSchema();
      await proxy[Symbol.asyncDispose]();
    },
  };
}
