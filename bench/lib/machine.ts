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
    if (parent === dir)
      throw new Error(`bench: cannot find the dice-wasm package.json above ${fileURLToPath(import.meta.url)}`);
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

/** CPU time of the whole machine (Linux /proc/stat, else absent) and of this process, at one moment. */
export interface CpuSnapshot {
  at: number;
  /** Busy and total jiffies of all cores (user, nice, system, irq, …; idle and iowait are not busy). */
  machine: { busy: number; total: number } | null;
  /** This process's CPU time (all its threads), µs. */
  processMicros: number;
}

const JIFFIES_PER_SECOND = 100;

export function cpuSnapshot(): CpuSnapshot {
  let machine: CpuSnapshot['machine'] = null;
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    machine = { busy: total - fields[3] - (fields[4] ?? 0), total };
  } catch {
    machine = null;
  }
  const usage = process.cpuUsage();
  return { at: performance.now(), machine, processMicros: usage.user + usage.system };
}

/**
 * Cores kept busy by other processes between two snapshots, on average (the machine's busy time
 * minus this process's, over the wall time); null where /proc/stat is missing.
 */
export function othersBusyCores(from: CpuSnapshot, to: CpuSnapshot): number | null {
  if (from.machine === null || to.machine === null) return null;
  const seconds = (to.at - from.at) / 1000;
  const machineBusy = (to.machine.busy - from.machine.busy) / JIFFIES_PER_SECOND;
  const ours = (to.processMicros - from.processMicros) / 1e6;
  return Math.max(0, (machineBusy - ours) / seconds);
}
