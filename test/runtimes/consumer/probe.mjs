// Node, Deno and Bun: `<runtime> probe.mjs <check>` imports the packed package by name, runs one
// check of matrix-checks.mjs and prints its result as JSON (test/runtimes/runtimes.matrix.ts).
import * as dice from 'dice-wasm';

// One after the other: Bun evaluates two side-effect imports of CommonJS scripts in either order.
await import('../checks.js');
await import('../pool-checks.js');
const checks = await import('./matrix-checks.mjs');

const check = (globalThis.Deno?.args ?? process.argv.slice(2))[0];
const isDeno = typeof globalThis.Deno === 'object';

/** Runs a worker_threads worker (Node, Bun, Deno) until its first message. */
async function thread(file) {
  const { Worker } = await import('node:worker_threads');
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(file, import.meta.url));
    worker.once('message', (message) => {
      worker.terminate();
      resolve(message);
    });
    worker.once('error', reject);
  });
}

async function workers() {
  const results = {};
  // worker_threads: a worker that imports the package and one that requires it.
  for (const file of ['../thread-worker.mjs', '../thread-worker.cjs']) results[file.slice(3)] = await thread(file);
  // The Web Worker API where the runtime has it (Deno, Bun; not Node).
  if (typeof globalThis.Worker === 'function') {
    results['web-worker.mjs'] = await checks.runWorker(
      new globalThis.Worker(new URL('./web-worker.mjs', import.meta.url), { type: 'module' }),
    );
  }
  return results;
}

const run = {
  import: async () => ({
    resolved: import.meta.resolve('dice-wasm'),
    compat: import.meta.resolve('dice-wasm/compat'),
    // Deno also takes the npm: specifier, which finds the same package in node_modules.
    npmSpecifier: isDeno ? (await import('npm:dice-wasm')) === dice : null,
    worked: globalThis.diceChecks.workedExample(await dice.loadDice()),
  }),
  backends: () => checks.backends(dice),
  agreement: () => checks.agreement(dice),
  worker: workers,
  memory: () => checks.memory(dice),
  pool: async () => ({
    ...(await checks.pool(dice, { inWorker: () => thread('./pool-thread.mjs') })),
    // A pool left running after a split call: the process must still exit (the matrix waits for it).
    unterminated: await (await dice.createDicePool({ threads: 2, parallelThreshold: 0 })).diceLoss(
      Float32Array.from(globalThis.diceChecks.WORKED_PRED),
      Float32Array.from(globalThis.diceChecks.WORKED_TARGET),
    ),
  }),
  'pool-no-waitAsync': () => checks.pool(dice, { withoutWaitAsync: true }),
}[check];
if (!run) throw new Error(`probe.mjs: unknown check ${check}`);
console.log(JSON.stringify(await run()));
