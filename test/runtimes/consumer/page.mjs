// The browsers' side of the runtime matrix (test/runtimes/runtimes.matrix.ts): page.html loads
// the package by name (import map) and this module, which sets window.runCheck(name) → plain data.
import * as dice from 'dice-wasm';
import * as checks from './matrix-checks.mjs';

const run = {
  import: async () => ({
    resolved: import.meta.resolve('dice-wasm'),
    isolated: globalThis.crossOriginIsolated,
    worked: globalThis.diceChecks.workedExample(await dice.loadDice()),
  }),
  backends: () => checks.backends(dice),
  agreement: () => checks.agreement(dice),
  // A module worker (by path: import maps do not reach workers) and a classic one (importScripts of the IIFE).
  worker: async () => ({
    'module-worker.js': await checks.runWorker(new Worker('/module-worker.js', { type: 'module' })),
    'classic-worker.js': await checks.runWorker(new Worker('/classic-worker.js')),
  }),
  memory: () => checks.memory(dice),
  pool: () =>
    checks.pool(dice, {
      inWorker: () => checks.runWorker(new Worker('/runtimes/pool-worker.js', { type: 'module' })),
    }),
  'pool-no-waitAsync': () => checks.pool(dice, { withoutWaitAsync: true }),
  refusal: async () => ({ isolated: globalThis.crossOriginIsolated, message: await checks.refusal(dice) }),
};

window.runCheck = (name) => {
  if (!run[name]) throw new Error(`page.mjs: unknown check ${name}`);
  return run[name]();
};
