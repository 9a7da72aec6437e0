// The kernel behind the Python-compatible classes, which (like their Python originals) are
// constructed and called synchronously: a module-level default made on first use with
// loadDiceSync(), or one the caller chooses with useKernel().
import { describe, typeError } from '../core/errors.js';
import { DiceKernel } from '../kernel.js';
import { loadDiceSync } from '../load.js';

let current: DiceKernel | undefined;

/**
 * Makes the compat layer use `kernel` for every object created afterwards (objects created
 * earlier keep theirs). Without it, the first compat call loads one with `loadDiceSync()`.
 * @example
 * import { loadDice } from 'dice-wasm';
 * import { useKernel, monai } from 'dice-wasm/compat';
 * useKernel(await loadDice({ backend: 'js' }));
 * monai.compute_dice(yPred, y);
 */
export function useKernel(kernel: DiceKernel): void {
  if (!(kernel instanceof DiceKernel))
    throw typeError(
      'useKernel',
      'kernel',
      `must be a kernel from loadDice() or loadDiceSync(); got ${describe(kernel)}`,
    );
  current = kernel;
}

/** The kernel compat objects use now. */
export function compatKernel(): DiceKernel {
  current ??= loadDiceSync();
  return current;
}
