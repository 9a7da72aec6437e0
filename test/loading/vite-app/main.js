// An application that imports 'dice-wasm' and starts a worker that imports it too; Vite bundles
// both. The test reads window.viteAppResult.
import { loadDice } from 'dice-wasm';
import '../checks.js';

function inWorker() {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(`worker: ${event.message}`));
    worker.postMessage('run');
  });
}

window.viteAppResult = (async () => ({
  main: await globalThis.diceChecks.workedExampleOnEveryBackend(loadDice),
  worker: await inWorker(),
}))();
