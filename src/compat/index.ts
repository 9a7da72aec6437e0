// dice-wasm/compat: the Python libraries' losses and metrics under their own names, parameters
// and defaults, on dice-wasm's kernels. See docs/porting.md
// and "Metrics" → "Python: `dice-wasm/compat`".
export * as monai from './monai/index.js';
export * as torchmetrics from './torchmetrics.js';
export * as smp from './smp.js';
export * as keras from './keras.js';
export * as medpy from './medpy/index.js';
export { useKernel } from './kernel.js';
export type { Tensor, TensorInput } from './tensor.js';
export type { GradTensor, LossWithGrad } from './parts.js';
