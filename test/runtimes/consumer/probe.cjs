// Node (with --no-experimental-require-module: only a real CommonJS build loads), Deno and Bun:
// require the packed package by name; print where it resolved and the worked example on every
// backend as JSON (test/runtimes/runtimes.matrix.ts).
const dice = require('dice-wasm');
require('../checks.js');

import('./matrix-checks.mjs')
  .then(async ({ backends }) => ({
    resolved: require.resolve('dice-wasm'),
    compat: require.resolve('dice-wasm/compat'),
    ...(await backends(dice)),
  }))
  .then(
    (result) => console.log(JSON.stringify(result)),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
