/**
 * What the test command needs from the machine besides npm packages, installed when missing
 * (as root with apt-get, as on a fresh CI machine), else a stop with the exact command to run:
 * - Debian's Chromium and CJK fonts for the browser tests (e2e/);
 * - Java 17 and Maven for the database stand-in, when no MongoDB can be had (scripts/db);
 * - Python's venv for the schemathesis fuzz run (scripts/fuzz.ts).
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { chooseDatabase } from './db';
import { memoryServerBinary } from './db/memory-server';
import { which } from './db/process';
import { standInToolchain } from './db/standin';

interface Need {
  what: string;
  packages: string[];
}

async function missing(): Promise<Need[]> {
  const needs: Need[] = [];
  if (!existsSync('/usr/bin/chromium')) needs.push({ what: 'Chromium for the browser tests', packages: ['chromium', 'fonts-noto-cjk'] });
  const decision = await chooseDatabase({
    purpose: 'test',
    env: process.env,
    mongodOnPath: () => which('mongod'),
    memoryServerBinary: () => memoryServerBinary(() => {}),
    standInToolchain: () => ({}),
  });
  if (decision.source.kind === 'standin' && 'missing' in standInToolchain()) {
    needs.push({ what: 'Java 17 and Maven for the local database stand-in', packages: ['openjdk-17-jdk-headless', 'maven'] });
  }
  if (spawnSync('python3', ['-c', 'import venv, ensurepip']).status !== 0) {
    needs.push({ what: 'Python 3 with venv for the fuzz run', packages: ['python3', 'python3-venv'] });
  }
  return needs;
}

export async function ensurePrerequisites(log: (msg: string) => void): Promise<void> {
  const needs = await missing();
  if (!needs.length) return;
  const packages = needs.flatMap((n) => n.packages);
  const command = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(' ')}`;
  if (process.getuid?.() !== 0 || !which('apt-get')) {
    throw new Error(`Missing: ${needs.map((n) => n.what).join('; ')}.\nInstall them, then run the tests again:\n  sudo sh -c '${command}'`);
  }
  log(`Installing ${needs.map((n) => n.what).join('; ')}: ${packages.join(' ')}`);
  const result = spawnSync('sh', ['-c', command], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) throw new Error(`could not install ${packages.join(' ')} (exit ${result.status}); run: ${command}`);
}
