// Runs the built CLI as a child process, bounded: a V8 heap limit, a timeout, and its peak memory
// measured (cli-probe.mjs). What hostile-input tests need to say "no crash, no hang, memory bounded".
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repositoryRoot } from './packed.js';

export interface ProbeRun {
  /** Exit code; null when the process was killed (timeout, or a signal such as an abort). */
  code: number | null;
  signal: string | null;
  stdout: string;
  /** Standard error without the probe's own line. */
  stderr: string;
  /** Peak resident memory of the child, in MiB (NaN if it died before reporting). */
  maxRssMiB: number;
  timedOut: boolean;
}

const PROBE = fileURLToPath(new URL('./cli-probe.mjs', import.meta.url));

export function probe(
  args: readonly string[],
  {
    heapMiB = 256,
    timeoutMs = 30_000,
    cwd = repositoryRoot,
    v8Flags = [],
  }: { heapMiB?: number; timeoutMs?: number; cwd?: string; v8Flags?: readonly string[] } = {},
): Promise<ProbeRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [`--max-old-space-size=${heapMiB}`, ...v8Flags, PROBE, ...args],
      { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 26 },
      (error, stdout, stderr) => {
        const rss = /\n\[probe\] maxRSS (\d+)\n$/.exec(stderr);
        const e = error as
          | (NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string })
          | null;
        done({
          code: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
          signal: e?.signal ?? null,
          stdout,
          stderr: rss === null ? stderr : stderr.slice(0, rss.index),
          maxRssMiB: rss === null ? Number.NaN : Number(rss[1]) / 1024,
          timedOut: e?.killed === true && e.signal === 'SIGKILL',
        });
      },
    );
  });
}
