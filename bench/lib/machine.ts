// Where a result was measured: machine, JavaScript engine, and the versions of everything timed.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MachineInfo {
  cpu: string;
  cores: number;
  totalMemoryBytes: number;
  os: { platform: string; release: string; arch: string };
}

export interface EngineInfo {
  node: string;
  v8: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryBytes: os.totalmem(),
    os: { platform: os.platform(), release: os.release(), arch: os.arch() },
  };
}

export function engineInfo(): EngineInfo {
  return { node: process.version, v8: process.versions.v8 };
}

/**
 * The root of this package: the nearest directory above this file whose package.json is
 * dice-wasm's. Works from the sources and from the compiled copy in build/bench/bench/lib.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readJson(manifest).name === 'dice-wasm') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench: cannot find the dice-wasm package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/**
 * Versions of dice-wasm and of the packages it is compared with or built by, read from their
 * package.json files (some packages' `exports` hide package.json from `require.resolve`).
 */
export function packageVersions(root: string, dependencies: readonly string[]): Record<string, string> {
  const versions: Record<string, string> = { 'dice-wasm': String(readJson(join(root, 'package.json')).version) };
  for (const name of dependencies) {
    const manifest = join(root, 'node_modules', name, 'package.json');
    versions[name] = existsSync(manifest) ? String(readJson(manifest).version) : 'not installed';
  }
  return versions;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}
