import { spawn, type SpawnOptions } from 'node:child_process';

/** Runs a command with inherited output; rejects on a non-zero exit. */
export function runStep(label: string, cmd: string, args: string[], opts: SpawnOptions = {}): Promise<void> {
  process.stdout.write(`\n▶ ${label}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', ...opts });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${label} failed (${signal ?? `exit ${code}`})`));
    });
  });
}
