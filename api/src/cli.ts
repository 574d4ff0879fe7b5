/**
 * Operator commands: `node api/dist/cli.js <command>`.
 *   seed-demo   load the demo city once (idempotent) and print the staff accounts
 */
import { loadConfig } from './config';
import { systemClock } from './context';
import { createLogger } from './core/logger';
import { connectDatabase } from './db';
import { createServices } from './services';
import { seedDemo } from './seed/demo';

async function main(): Promise<void> {
  const [command] = process.argv.slice(2);
  const config = loadConfig();
  const db = await connectDatabase(config);
  const services = createServices({ config, db, logger: createLogger('warn'), clock: systemClock });
  try {
    switch (command) {
      case 'seed-demo': {
        const summary = await seedDemo(services);
        process.stdout.write(`${summary}\n`);
        break;
      }
      default:
        process.stderr.write(`Unknown command "${command ?? ''}". Commands: seed-demo\n`);
        process.exitCode = 64;
    }
  } finally {
    await db.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
