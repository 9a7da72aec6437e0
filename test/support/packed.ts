// The package as a user gets it: `npm pack` of the built repository, installed with npm into a new
// directory that holds a copy of test/loading/ (the consumers, pages and shared checks), so that
// 'dice-wasm' resolves by name, through "exports", to the packed files only.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A new directory with test/loading/ and node_modules/dice-wasm installed from the tarball. */
export function installPacked(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dice-wasm-consumer-'));
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: repositoryRoot, encoding: 'utf8' })) as [{ filename: string }];
  cpSync(join(repositoryRoot, 'test/loading'), dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'dice-wasm-consumer', private: true, type: 'commonjs' }, null, 2)}\n`);
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', join(dir, filename)], { cwd: dir, stdio: 'pipe' });
  return dir;
}
