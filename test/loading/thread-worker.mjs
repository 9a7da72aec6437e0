import { parentPort, isMainThread } from 'node:worker_threads';
import { loadDiceSync } from 'dice-wasm';
import './checks.js';

const { BACKENDS, workedExample } = globalThis.diceChecks;
parentPort.postMessage({ isMainThread, default: workedExample(loadDiceSync()), ...Object.fromEntries(BACKENDS.map((backend) => [backend, workedExample(loadDiceSync({ backend }))])) });
