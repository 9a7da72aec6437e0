// A classic Web Worker: importScripts of the IIFE build, which sets the global DiceWasm.
importScripts('/node_modules/dice-wasm/dist/dice-wasm.iife.js', '/checks.js');

self.onmessage = () => {
  diceChecks.workedExampleOnEveryBackend(async (options) => DiceWasm.loadDiceSync(options)).then(postMessage);
};
