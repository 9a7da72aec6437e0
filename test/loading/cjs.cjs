// Node, CommonJS: require the installed package by name (run with --no-experimental-require-module,
// so only a real CommonJS build can load); print what it computed as JSON.
const { loadDice, loadDiceSync } = require('dice-wasm');
require('./checks.js');

const { workedExampleOnEveryBackend } = globalThis.diceChecks;
Promise.all([
  workedExampleOnEveryBackend(loadDice),
  workedExampleOnEveryBackend(async (options) => loadDiceSync(options)),
]).then(
  ([asyncResults, syncResults]) =>
    console.log(JSON.stringify({ resolved: require.resolve('dice-wasm'), async: asyncResults, sync: syncResults })),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
