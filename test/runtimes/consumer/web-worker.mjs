// A Web Worker of Deno or Bun (a module worker): imports the package by name, computes the worked
// example with loadDiceSync on every backend when asked, and posts it back.
import { loadDiceSync } from 'dice-wasm';
import '../checks.js';

self.onmessage = () => {
  globalThis.diceChecks
    .workedExampleOnEveryBackend(async (options) => loadDiceSync(options))
    .then((results) => self.postMessage({ api: 'Worker', ...results }));
};
