// The package as a user gets it: `npm pack` of the built repository, unpacked into the
// node_modules/ of a new directory that holds a copy of test/loading/ (the consumers, pages and
// shared checks), so that 'dice-wasm' resolves by name, through "exports", to the packed files only.
//
// The tarball's runtime dependencies are copied from the repository's own node_modules/ (which
// `npm ci` filled from the lock file) instead of being installed by npm: installing them by range
// needs the registry's metadata, which neither an offline install nor a fresh npm cache has.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertFreshDist } from './fresh-build.js';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  bin?: string | Record<string, string>;
}

function readManifest(packageDir: string): Manifest {
  return JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Manifest;
}

/** Where Node would find package `name` from `fromDir`: the nearest node_modules/<name> upwards. */
function findPackage(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir)
      throw new Error(`packed: dependency ${name} is not installed under ${fromDir} (run npm ci)`);
  }
}

/**
 * Copies the dependency closure of the package at `installedDir` (whose sources' dependencies
 * resolve from `sourceDir`) into `consumerModules`: flat where the name is free, nested under the
 * dependent where another version already took it, as npm lays them out.
 */
function copyDependencies(
  installedDir: string,
  sourceDir: string,
  consumerModules: string,
  copied: Map<string, string>,
): void {
  for (const name of Object.keys(readManifest(installedDir).dependencies ?? {})) {
    const source = findPackage(name, sourceDir);
    const flat = join(consumerModules, name);
    if (copied.get(flat) === source) continue;
    const target = copied.has(flat) ? join(installedDir, 'node_modules', name) : flat;
    cpSync(source, target, {
      recursive: true,
      dereference: true,
      filter: (path) => !path.startsWith(join(source, 'node_modules')),
    });
    copied.set(target, source);
    copyDependencies(target, source, consumerModules, copied);
  }
}

/** A new directory with test/loading/ and node_modules/dice-wasm unpacked from the tarball. */
export function installPacked(): string {
  assertFreshDist();
  const dir = mkdtempSync(join(tmpdir(), 'dice-wasm-consumer-'));
  const [{ filename }] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: repositoryRoot, encoding: 'utf8' }),
  ) as [{ filename: string }];
  cpSync(join(repositoryRoot, 'test/loading'), dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'dice-wasm-consumer', private: true, type: 'commonjs' }, null, 2)}\n`,
  );
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  execFileSync('tar', ['-xzf', join(dir, filename), '-C', modules]);
  const installed = join(modules, 'dice-wasm');
  renameSync(join(modules, 'package'), installed);
  copyDependencies(installed, repositoryRoot, modules, new Map());
  linkBins(installed, modules);
  return dir;
}

/** node_modules/.bin/<command> → the package's executable, as npm links a direct dependency's bin. */
function linkBins(installedDir: string, consumerModules: string): void {
  const { name, bin } = readManifest(installedDir);
  const commands = typeof bin === 'string' ? { [name]: bin } : (bin ?? {});
  mkdirSync(join(consumerModules, '.bin'), { recursive: true });
  for (const [command, path] of Object.entries(commands)) {
    chmodSync(join(installedDir, path), 0o755);
    symlinkSync(join('..', name, path), join(consumerModules, '.bin', command));
  }
}
