// Node, ES module: import the installed package by name; print what it computed as JSON.
import { loadDice, loadDiceSync } from 'dice-wasm';
import './checks.js';

const { workedExampleOnEveryBackend } = globalThis.diceChecks;
console.log(
  JSON.stringify({
    resolved: import.meta.resolve('dice-wasm'),
    async: await workedExampleOnEveryBackend(loadDice),
    sync: await workedExampleOnEveryBackend(async (options) => loadDiceSync(options)),
  }),
);
