// The `medpy.metric` namespace of dice-wasm/compat.
export * as binary from './binary.js';
