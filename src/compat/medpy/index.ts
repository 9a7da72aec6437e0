// The `medpy` namespace of dice-wasm/compat: medpy.metric.binary.* (MedPy 0.5.2).
export * as metric from './metric.js';
