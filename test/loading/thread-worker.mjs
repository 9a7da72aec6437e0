import { isMainThread, parentPort } from 'node:worker_threads';
import { loadDiceSync } from 'dice-wasm';
import './checks.js';

const results = await globalThis.diceChecks.workedExampleOnEveryBackend(async (options) => loadDiceSync(options));
parentPort.postMessage({ isMainThread, ...results });
