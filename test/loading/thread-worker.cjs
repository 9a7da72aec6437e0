const { isMainThread, parentPort } = require('node:worker_threads');
const { loadDiceSync } = require('dice-wasm');
require('./checks.js');

globalThis.diceChecks
  .workedExampleOnEveryBackend(async (options) => loadDiceSync(options))
  .then((results) => parentPort.postMessage({ isMainThread, resolved: require.resolve('dice-wasm'), ...results }));
