// A module Web Worker of a cross-origin isolated page that starts a thread pool of its own
// (nested workers): imports the package by path and posts pool-checks.js's comparison when asked.
import * as dice from '/node_modules/dice-wasm/dist/index.js';
import '/checks.js';
import '/pool-checks.js';

self.onmessage = () => {
  poolChecks.compare(dice).then(postMessage, (error) => postMessage({ error: `${error.name}: ${error.message}` }));
};
