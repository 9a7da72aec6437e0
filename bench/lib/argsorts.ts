// TypeScript argsorts that the Lovász sort is measured against (besides the JS backend's radix
// sort, src/backends/js/argsort.ts). Each returns the permutation that sorts float32 keys in
// descending order, equal keys by index: the order of assembly/sort.ts.

/** `Uint32Array.prototype.sort` of the indices with a comparator: what one would write first. */
export function comparatorArgsort(keys: Float32Array): Uint32Array {
  const order = new Uint32Array(keys.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => keys[b] - keys[a] || a - b);
}

const INDEX_BITS = 21;
const INDEX_SCALE = 2 ** INDEX_BITS;

/**
 * The typed-array trick: each key's order-reversing u32 image times 2^21 plus its index is an
 * integer below 2^53, so one comparator-free `Float64Array.prototype.sort` (numeric, native)
 * orders keys and breaks ties by index. Up to 2^21 keys.
 */
export function packedFloat64Argsort(keys: Float32Array): Uint32Array {
  const n = keys.length;
  if (n > INDEX_SCALE) throw new RangeError(`packedFloat64Argsort: at most ${INDEX_SCALE} keys; got ${n}`);
  const bits = new Uint32Array(keys.buffer, keys.byteOffset, n);
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    packed[i] = ((b ^ (((b >>> 31) - 1) >>> 1)) >>> 0) * INDEX_SCALE + i;
  }
  packed.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = packed[i] % INDEX_SCALE;
  return order;
}
