// A worker_threads worker (Node, Deno, Bun) that starts a thread pool of its own: imports the
// package by name and posts pool-checks.js's comparison.
import { parentPort } from 'node:worker_threads';
import * as dice from 'dice-wasm';

await import('../checks.js');
await import('../pool-checks.js');
parentPort.postMessage(await globalThis.poolChecks.compare(dice));
