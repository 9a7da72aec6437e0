// The JS heap after a full garbage collection (V8's gc, exposed for the test file that asks), and
// a leak check that garbage-collector noise cannot fail while a real leak still does.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * How much the heap grows over `runs` runs of `run`, measured again — up to `attempts` times, and
 * not after `deadlineMs` — until one measurement stays under `limitBytes`. Returns every growth
 * measured (the last one under the limit, unless none was). A leak grows the heap by its size in
 * every measurement, so it stays over the limit in all of them; what the collector happens to keep
 * or free at one moment (code and feedback caches, a late finalizer, a young generation promoted
 * in between) shows in one measurement and not in the next.
 */
export async function heapGrowth(
  run: () => unknown,
  runs: number,
  limitBytes: number,
  { attempts = 4, deadlineMs = 120_000 } = {},
): Promise<number[]> {
  const growths: number[] = [];
  const until = Date.now() + deadlineMs;
  for (let attempt = 0; attempt < attempts && (attempt === 0 || Date.now() < until); attempt++) {
    const before = heapAfterGc();
    for (let i = 0; i < runs; i++) await run();
    growths.push(heapAfterGc() - before);
    if (growths[growths.length - 1] < limitBytes) break;
  }
  return growths;
}
