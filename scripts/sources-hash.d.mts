// Types of sources-hash.mjs, for the tests that import it.
export function wasmSourcesHash(): string;
export function distSourcesHash(): string;
export const DIST_STAMP: string;
