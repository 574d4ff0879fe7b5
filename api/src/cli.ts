/**
 * Operator commands: `node api/dist/cli.js <command>`.
 *   seed-demo   load the demo city once (idempotent) and print the staff accounts
 */
import { loadConfig } from './config';
import { connectDatabase } from './db';
import { seedDemo } from './seed/demo';

async function main(): Promise<void> {
  const [command] = process.argv.slice(2);
  const config = loadConfig();
  const db = await connectDatabase(config);
  try {
    switch (command) {
      case 'seed-demo': {
        const summary = await seedDemo(db, config);
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
