/**
 * Prints the sizes of the WeChat build (dist/weapp): the main package and each
 * subpackage, as WeChat counts them (every file under the package's folder), and
 * fails when the main package exceeds its budget.
 *
 *   tsx scripts/package-size.ts [--dir dist/weapp] [--budget-kb 1024]
 *
 * WeChat's hard limits: 2 MB per package (main included), 20 MB in total.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const HARD_LIMIT = 2 * 1024 * 1024;

export interface PackageSizes {
  main: number;
  subpackages: Record<string, number>;
  total: number;
  largestMainFiles: { file: string; bytes: number }[];
}

function walk(dir: string, base = dir): { file: string; bytes: number }[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const st = statSync(full);
    return st.isDirectory() ? walk(full, base) : [{ file: path.relative(base, full).split(path.sep).join('/'), bytes: st.size }];
  });
}

export function measure(distDir: string): PackageSizes {
  const appJson = JSON.parse(readFileSync(path.join(distDir, 'app.json'), 'utf8')) as {
    subPackages?: { root: string }[];
    subpackages?: { root: string }[];
  };
  const roots = (appJson.subPackages ?? appJson.subpackages ?? []).map((s) => s.root.replace(/\/+$/, ''));
  // project.config.json is tooling, not part of the uploaded code package.
  const files = walk(distDir).filter((f) => f.file !== 'project.config.json' && !f.file.endsWith('.LICENSE.txt'));
  const subpackages: Record<string, number> = Object.fromEntries(roots.map((r) => [r, 0]));
  let main = 0;
  const mainFiles: { file: string; bytes: number }[] = [];
  for (const f of files) {
    const root = roots.find((r) => f.file.startsWith(`${r}/`));
    if (root) subpackages[root]! += f.bytes;
    else {
      main += f.bytes;
      mainFiles.push(f);
    }
  }
  return {
    main,
    subpackages,
    total: files.reduce((s, f) => s + f.bytes, 0),
    largestMainFiles: mainFiles.sort((a, b) => b.bytes - a.bytes).slice(0, 6),
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
  };
  const dir = path.resolve(__dirname, '..', opt('--dir', 'dist/weapp'));
  const budget = Number(opt('--budget-kb', '1024')) * 1024;
  const sizes = measure(dir);
  const lines = [
    'WeChat package sizes (dist/weapp):',
    `  main package        ${kb(sizes.main).padStart(10)}   (budget ${kb(budget)}, WeChat limit ${kb(HARD_LIMIT)})`,
    ...Object.entries(sizes.subpackages).map(([root, bytes]) => `  ${`${root}/`.padEnd(19)} ${kb(bytes).padStart(10)}`),
    `  total               ${kb(sizes.total).padStart(10)}`,
    '  largest main-package files:',
    ...sizes.largestMainFiles.map((f) => `    ${f.file.padEnd(28)} ${kb(f.bytes).padStart(10)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const over = Object.entries(sizes.subpackages).filter(([, b]) => b > HARD_LIMIT);
  if (sizes.main > budget || over.length) {
    process.stderr.write(`✖ package size over budget: main ${kb(sizes.main)}${over.map(([r, b]) => `, ${r} ${kb(b)}`).join('')}\n`);
    process.exit(1);
  }
}

if (require.main === module) main();
