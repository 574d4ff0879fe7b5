/**
 * Operator commands: `node api/dist/cli.js <command>`.
 *   seed-demo   load the demo city once (idempotent) and print the staff accounts
 *   check-points  check every points balance against its ledger; exit code 1 on any mismatch
 *   rebuild-stats recompute the statistics rollups from the case event logs [--force: take over a stuck rebuild]
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
      case 'check-points': {
        const mismatches = await services.points.checkInvariants();
        for (const m of mismatches) {
          process.stdout.write(`${m.citizenId}\t${m.issue}\tactual ${m.actual}\texpected ${m.expected}\n`);
        }
        process.stdout.write(mismatches.length ? `${mismatches.length} mismatch(es)\n` : 'points ledger consistent\n');
        if (mismatches.length) process.exitCode = 1;
        break;
      }
      case 'rebuild-stats': {
        const result = await services.stats.rebuild({ force: process.argv.includes('--force') });
        process.stdout.write(
          `statistics rebuilt: generation ${result.gen}, ${result.cases} cases, ${result.events} events, ${result.rows} rollup rows\n`,
        );
        break;
      }
      default:
        process.stderr.write(`Unknown command "${command ?? ''}". Commands: seed-demo, check-points, rebuild-stats\n`);
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
