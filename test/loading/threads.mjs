// Node worker_threads: one worker that imports the package, one that requires it; each computes
// the worked example with loadDiceSync on every backend and posts it back.
import { Worker } from 'node:worker_threads';

function run(file) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(file, import.meta.url));
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

console.log(JSON.stringify({ esm: await run('./thread-worker.mjs'), cjs: await run('./thread-worker.cjs') }));
