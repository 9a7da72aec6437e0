// Node, CommonJS (run with --no-experimental-require-module): the installed package's pool
// (worker_threads); print the comparison as JSON.
const dice = require('dice-wasm');
require('./checks.js');
require('./pool-checks.js');

globalThis.poolChecks.compare(dice).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
