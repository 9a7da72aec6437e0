// Node, ES module: the installed package's pool (worker_threads); print the comparison as JSON.
import * as dice from 'dice-wasm';
import './checks.js';
import './pool-checks.js';

console.log(JSON.stringify(await globalThis.poolChecks.compare(dice)));
