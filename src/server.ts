/** Starts the service and shuts it down gracefully on SIGTERM/SIGINT. Nothing else lives here. */
import { loadConfig, ConfigError } from './config.js';
import { isLoopbackUrl } from './infra/loopback.js';
import { buildApp } from './app.js';

/** How long in-flight requests may take to finish after SIGTERM, and how long the whole shutdown may take. */
const SHUTDOWN_GRACE_MS = 2000;
const SHUTDOWN_LIMIT_MS = 20_000;

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

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
