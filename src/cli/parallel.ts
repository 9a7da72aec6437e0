// `eval --threads N`: the pairs are counted by N worker threads (eval-worker.ts), each with its own
// kernel, handing out one pair at a time to whichever worker is free, so large and small files
// balance. Reading and decoding the files (inflate, PNG filters) is most of the work, and it runs
// in the workers too. Records are handed on in the order of the pairs as soon as every earlier
// pair is done (a pair that finishes early waits in a small buffer), so none is held longer.
//
// A worker that dies (an exception outside countPair, out of memory) costs only the pair it held:
// that pair is reported as an error naming the worker's failure, and the remaining pairs go to the
// other workers, or to the main thread when none is left.
import { Worker } from 'node:worker_threads';
import type { DiceKernel } from '../kernel.js';
import type { EvalOptions } from './eval-options.js';
import { countPair } from './evaluate.js';
import type { CaseRecord } from './records.js';
import type { Pair } from './pairs.js';

/** A request to a worker, and its answer. */
export interface CountRequest {
  index: number;
  pair: Pair;
  opts: EvalOptions;
}
export interface CountAnswer {
  index: number;
  record: CaseRecord;
}

export async function countInWorkers(
  pairs: readonly Pair[],
  opts: EvalOptions,
  k: DiceKernel,
  onCase: (record: CaseRecord) => void,
): Promise<void> {
  const waiting = new Map<number, CaseRecord>();
  let next = 0,
    handed = 0;
  const finish = (index: number, record: CaseRecord) => {
    waiting.set(index, record);
    for (let r = waiting.get(handed); r !== undefined; r = waiting.get(handed)) {
      waiting.delete(handed++);
      onCase(r);
    }
  };
  const failed = (index: number, error: string): CaseRecord => {
    const { name, pred, truth } = pairs[index];
    return { name, pred, truth, error };
  };
  const runWorker = () =>
    new Promise<void>((done) => {
      const worker = new Worker(new URL('./eval-worker.js', import.meta.url));
      let held = -1;
      const give = () => {
        if (next >= pairs.length) {
          held = -1;
          void worker.terminate().then(() => done());
          return;
        }
        held = next++;
        worker.postMessage({ index: held, pair: pairs[held], opts } satisfies CountRequest);
      };
      worker.on('message', ({ index, record }: CountAnswer) => {
        finish(index, record);
        give();
      });
      worker.on('error', (error) => {
        if (held >= 0) finish(held, failed(held, `worker thread failed: ${error.message}`));
        held = -1;
        done();
      });
      worker.on('exit', (code) => {
        if (held >= 0) finish(held, failed(held, `worker thread exited with code ${code}`));
        held = -1;
        done();
      });
      give();
    });
  const threads = Math.min(opts.threads, pairs.length);
  await Promise.all(Array.from({ length: threads }, runWorker));
  // Pairs no worker took (every worker died): counted here, in turn.
  for (; next < pairs.length; next++) finish(next, await countPair(k, pairs[next], opts));
}
