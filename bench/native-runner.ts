// Runs native benchmark programs for a benchmark process (bench/components.bench.ts), on
// request over IPC. The benchmark forks this small process at its start, before it allocates its
// large arrays: a fork write-protects every page of the forking process, and the process that
// forked then pays a page fault on its next write to each page of its large (non-WebAssembly)
// arrays — 0.7 s per 64 MiB on the 2-vCPU VM measured — which would slow the contenders that run
// right after a native one. Forked from here, the native program leaves the benchmark's pages alone.
import { spawnSync } from 'node:child_process';

interface Request {
  id: number;
  file: string;
  args: string[];
}

process.on('message', (request: Request) => {
  const run = spawnSync(request.file, request.args, { encoding: 'utf8' });
  process.send?.({ id: request.id, status: run.status, stdout: run.stdout, stderr: run.stderr });
});
