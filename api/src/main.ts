import { buildApp } from './app';
import { systemClock } from './context';
import { createServices } from './services';
import { startWorkers } from './workers';
import { moveLegacyPointsToAccounts } from './points/legacy-accounts';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './core/logger';
import { connectDatabaseWhenReachable } from './db';
import { createApiServer } from './core/http-server';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const db = await connectDatabaseWhenReachable(config, (err) => logger.warn({ err: err.message }, 'database not reachable yet, retrying'));
  const services = createServices({ config, db, logger, clock: systemClock });
  await moveLegacyPointsToAccounts(db, systemClock.now(), logger);
  const app = buildApp({ config, db, logger, version, services });
  const workers = startWorkers(services);
  // Rollups from before cohort rows existed: rebuilt in the background, queries meanwhile read the old generation.
  services.stats.upgradeIfNeeded().catch((err: Error) => logger.warn({ err: err.message }, 'statistics upgrade failed; run rebuild-stats'));
  // The public statistics' cells published before the first visitor asks (the loop keeps them fresh).
  services.stats.refreshPublished().catch((err: Error) => logger.warn({ err: err.message }, 'public statistics not published ahead'));
  const server = createApiServer(app, logger);

  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ host: config.host, port }, 'api listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const force = setTimeout(() => {
      logger.warn('shutdown timeout: closing remaining connections');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    force.unref();
    server.close(async () => {
      await workers.stop();
      await services.relay.settled();
      await db.close().catch(() => undefined);
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`API failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
