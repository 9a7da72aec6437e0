const { parentPort, isMainThread } = require('node:worker_threads');
const { loadDiceSync } = require('dice-wasm');
require('./checks.js');

const { BACKENDS, workedExample } = globalThis.diceChecks;
parentPort.postMessage({ isMainThread, resolved: require.resolve('dice-wasm'), default: workedExample(loadDiceSync()), ...Object.fromEntries(BACKENDS.map((backend) => [backend, workedExample(loadDiceSync({ backend }))])) });
