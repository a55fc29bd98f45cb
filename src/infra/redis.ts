/**
 * Redis connections for the shared knowledge cache and version notifications. Commands fail fast instead of
 * queueing while disconnected, so a request never waits on a reconnect loop: a cache miss goes to PostgreSQL.
 */
import { Redis } from 'ioredis';

export interface RedisOptions {
  readonly url: string;
  /** Per-command limit; a slower Redis is treated as absent for that lookup. */
  readonly commandTimeoutMs?: number;
}

export function createRedis(options: RedisOptions): Redis {
  const client = new Redis(options.url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    // A shared cache near the service answers in about a millisecond; slower than this, the database is quicker.
    commandTimeout: options.commandTimeoutMs ?? 25,
    // Keep trying to come back, but never hold commands while doing so.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Connection errors are expected during an outage; the cache tier reports them through health, not crashes.
  client.on('error', () => undefined);
  return client;
}

/** A second connection for SUBSCRIBE (a subscribed connection cannot run other commands). */
export function createSubscriber(options: RedisOptions): Redis {
  const client = new Redis(options.url, {
    lazyConnect: false,
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    connectTimeout: 500,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  client.on('error', () => undefined);
  return client;
}

/**
 * Resolves true once the client is connected, or false when it is not within `ms`: a start never waits longer
 * than that for Redis (the client goes on reconnecting in the background; commands fail fast meanwhile).
 */
export function whenReady(client: Redis, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    client.on('ready', onReady);
  });
}
