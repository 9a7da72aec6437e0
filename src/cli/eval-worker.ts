// A worker thread of `eval --threads N` (parallel.ts): counts the pairs it is sent, one at a time,
// with its own kernel.
import { parentPort } from 'node:worker_threads';
import { loadDice } from '../load.js';
import { countPair } from './evaluate.js';
import type { CountAnswer, CountRequest } from './parallel.js';

if (parentPort === null) throw new Error('eval-worker: runs as a worker thread of eval --threads only');
const port = parentPort;
const kernel = loadDice();
port.on('message', async ({ index, pair, opts }: CountRequest) => {
  const record = await countPair(await kernel, pair, opts);
  port.postMessage({ index, record } satisfies CountAnswer);
});
