// A module Web Worker. Import maps do not reach workers, so the package is imported by its path.
import { loadDiceSync } from '/node_modules/dice-wasm/dist/index.js';
import '/checks.js';

self.onmessage = () => {
  diceChecks.workedExampleOnEveryBackend(async (options) => loadDiceSync(options)).then(postMessage);
};
