import { loadDiceSync } from 'dice-wasm';
import '../checks.js';

self.onmessage = () => {
  globalThis.diceChecks.workedExampleOnEveryBackend(async (options) => loadDiceSync(options)).then(postMessage);
};
