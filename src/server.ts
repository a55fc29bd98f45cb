/**
 * Starts the service and shuts it down gracefully on SIGTERM/SIGINT. With CDS_WORKERS above 1 this process is the
 * supervisor of that many worker processes (node:cluster) that share the port, PostgreSQL and Redis; each worker
 * is the service as it runs alone, with a DATA_DIR of its own (DATA_DIR/worker-N: the record spool is per process).
 */
import cluster from 'node:cluster';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, ConfigError, type Config } from './config.js';
import { isLoopbackUrl } from './infra/loopback.js';
import { buildApp } from './app.js';

/** How long in-flight requests may take to finish after SIGTERM, and how long the whole shutdown may take. */
const SHUTDOWN_GRACE_MS = 2000;
const SHUTDOWN_LIMIT_MS = 20_000;
/** Tells a worker which one it is: the same number after a restart, so it finds its own spool again. */
const WORKER_INDEX = 'CDS_WORKER_INDEX';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  if (
    config.trustedIssuers.length === 0 &&
    !isLoopbackUrl(`http://${config.host.includes(':') ? `[${config.host}]` : config.host}/`)
  ) {
    // Until CDS client authentication is configured, an open port beyond loopback would serve anyone.
    console.error(
      `refusing to listen on ${config.host}: without CDS client authentication the service only serves a loopback address`,
    );
    process.exit(2);
  }
  if (config.workers > 1 && cluster.isPrimary) return supervise(config);
  const index = process.env[WORKER_INDEX];
  await serve(index === undefined ? config : { ...config, dataDir: path.join(config.dataDir, `worker-${index}`) });
}

async function serve(config: Config): Promise<void> {
  const app = await buildApp(config);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    // In-flight requests get a grace period far beyond the time budget; then remaining connections (idle
    // keep-alive sockets a client holds open) are closed so the records can be flushed and the process end.
    setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    setTimeout(() => {
      app.log.error('shutdown did not finish in time; unwritten records stay in the spool for the next start');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // The port opens only once a screening has run: the first EHR call (and the first readiness probe) finds
  // the caches, the database and the compiled rules warm.
  await app.warmUp();
  await app.listen({ host: config.host, port: config.port });
}

/**
 * Forks the workers and keeps them running: a worker that ends after it served is replaced (same index, same
 * spool); one that ends before it ever listened stops the whole service with its exit code, since a start that
 * fails (a migration, a damaged configuration) would fail again. SIGTERM/SIGINT reach every worker, which drain
 * as a lone service does; the supervisor exits when they all have, 0 if every one did.
 */
function supervise(config: Config): void {
  const log = pino({ level: config.logLevel });
  let stopping = false;
  let exitCode = 0;
  const live = new Set<number>();
  const fork = (index: number) => {
    const worker = cluster.fork({ [WORKER_INDEX]: String(index) });
    let listened = false;
    live.add(index);
    worker.once('listening', () => {
      listened = true;
      log.info({ worker: index, workerPid: worker.process.pid }, 'worker listening');
    });
    worker.once('exit', (code, signal) => {
      live.delete(index);
      if (!stopping && listened) {
        log.warn({ worker: index, code, signal }, 'worker ended; starting another in its place');
        fork(index);
        return;
      }
      if (code !== 0 && exitCode === 0) exitCode = code ?? 1;
      if (!stopping) {
        log.error({ worker: index, code, signal }, 'worker could not start; stopping the service');
        stop();
      }
      if (live.size === 0) process.exit(exitCode);
    });
  };
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(1), SHUTDOWN_LIMIT_MS).unref();
  };
  const onSignal = (signal: string) => {
    if (stopping) return;
    log.info({ signal }, 'shutting down the workers');
    stop();
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  log.info({ workers: config.workers }, 'starting workers');
  for (let i = 1; i <= config.workers; i++) fork(i);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
