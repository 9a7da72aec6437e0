// An application that imports 'dice-wasm' and uses its thread pool; Vite bundles it. The pool
// starts its workers itself (no worker file for the app to configure). The test reads
// window.vitePoolResult: the comparison when the page is cross-origin isolated, else the refusal.
import * as dice from 'dice-wasm';
import '../checks.js';
import '../pool-checks.js';

window.vitePoolResult = globalThis.crossOriginIsolated
  ? globalThis.poolChecks.compare(dice)
  : globalThis.poolChecks.refusal(dice);
