// Argsort of f32 keys, descending and stable: an LSD radix sort, 8 bits per pass, over the
// order-reversing u32 image of each key's bits (`descendingBits`).
//
// A key travels with its payload as one 8-byte pair (payload u32 at offset 0, key f32 at
// offset 4, so the pair read as a u64 has the key in its high half): each pass moves one u64
// per element instead of two u32. In prototype runs while choosing (not kept), pairs were
// 20–30 % faster than separate key and payload arrays, and 8-bit digits beat 11-bit ones
// (3 passes of 2048 buckets) at 1M keys, where 2048 write streams thrash, though 11 bits won by
// ~10 % at 10K–100K. bench/lovasz.bench.ts measures this sort against TypeScript ones.
// There is no SIMD body: every pass is a scatter.

const DIGIT_BITS: u32 = 8;
const BUCKETS: u32 = 1 << DIGIT_BITS;
const DIGITS: i32 = 4;
const HISTOGRAM_BYTES: usize = <usize>(DIGITS * BUCKETS) << 2;

/**
 * The bits of an f32 mapped to a u32 whose ascending order is the key's descending order:
 * non-negative keys (sign bit clear) have their 31 low bits inverted, negative keys stay as
 * they are (their bits grow as the value falls, and the sign bit puts them after every
 * non-negative key). The map is its own inverse. NaNs with the sign bit clear come first,
 * the others last.
 */
// @ts-ignore: decorator
@inline function descendingBits(u: u32): u32 {
  return u ^ (((u >> 31) - 1) >> 1);
}

// @ts-ignore: decorator
@inline function keyAt(pair: usize): u32 {
  return load<u32>(pair, 4);
}

// @ts-ignore: decorator
@inline function count(histogram: usize, digit: u32): void {
  const slot = histogram + (<usize>digit << 2);
  store<u32>(slot, load<u32>(slot) + 1);
}

/** Bytes of `work` that argsortDesc_f32 needs for n pairs. */
export function argsortWorkBytes(n: i32): usize {
  return HISTOGRAM_BYTES + ((<usize>n) << 3);
}

/**
 * Sorts the n pairs at `pairs` by key, descending, stably (equal keys keep their order).
 * WRITES the pairs in place; uses argsortWorkBytes(n) bytes at `work` (the digit histograms,
 * then a second buffer of n pairs).
 */
export function argsortDesc_f32(pairs: usize, n: i32, work: usize): void {
  if (n < 2) return;
  const histograms = work, spare = work + HISTOGRAM_BYTES;
  memory.fill(histograms, 0, HISTOGRAM_BYTES);
  // One read counts the digits of every pass; the keys are mapped in place.
  for (let i = 0; i < n; i++) {
    const pair = pairs + (<usize>i << 3);
    const k = descendingBits(keyAt(pair));
    store<u32>(pair, k, 4);
    count(histograms, k & (BUCKETS - 1));
    count(histograms + (<usize>BUCKETS << 2), (k >> 8) & (BUCKETS - 1));
    count(histograms + (<usize>BUCKETS << 3), (k >> 16) & (BUCKETS - 1));
    count(histograms + (<usize>BUCKETS * 12), k >> 24);
  }
  // A digit that every key shares leaves the order as it is: that pass is skipped. The last
  // pass that runs maps the keys back as it moves them.
  const first = keyAt(pairs);
  let last = -1;
  for (let d = 0; d < DIGITS; d++) {
    if (!sharedDigit(histograms, d, first, n)) last = d;
  }
  if (last < 0) {
    // Every key has the same bits.
    for (let i = 0; i < n; i++) store<u32>(pairs + (<usize>i << 3), descendingBits(first), 4);
    return;
  }
  let from = pairs, to = spare;
  for (let d = 0; d <= last; d++) {
    if (sharedDigit(histograms, d, first, n)) continue;
    const counts = histograms + (<usize>(<u32>d * BUCKETS) << 2);
    let start: u32 = 0;
    for (let b: u32 = 0; b < BUCKETS; b++) {
      const slot = counts + (<usize>b << 2);
      const c = load<u32>(slot);
      store<u32>(slot, start);
      start += c;
    }
    if (d == last) scatter(from, to, n, counts, <u32>d * DIGIT_BITS, true);
    else scatter(from, to, n, counts, <u32>d * DIGIT_BITS, false);
    const t = from;
    from = to;
    to = t;
  }
  if (from != pairs) memory.copy(pairs, from, (<usize>n) << 3);
}

/** True when digit d of every key equals that digit of `key` (one bucket holds all n). */
// @ts-ignore: decorator
@inline function sharedDigit(histograms: usize, d: i32, key: u32, n: i32): bool {
  const bucket = (key >> (<u32>d * DIGIT_BITS)) & (BUCKETS - 1);
  return load<u32>(histograms + ((<usize>(<u32>d * BUCKETS + bucket)) << 2)) == <u32>n;
}

/**
 * One counting-sort pass: each pair of `from` goes to `to` at its bucket's next slot (`counts`
 * holds the start of every bucket and is advanced). With `restore`, keys are mapped back.
 */
// @ts-ignore: decorator
@inline function scatter(from: usize, to: usize, n: i32, counts: usize, shift: u32, restore: bool): void {
  for (let i = 0; i < n; i++) {
    let pair = load<u64>(from + (<usize>i << 3));
    const k = <u32>(pair >> 32);
    const slot = counts + (<usize>((k >> shift) & (BUCKETS - 1)) << 2);
    const at = load<u32>(slot);
    store<u32>(slot, at + 1);
    if (restore) pair = (<u64>descendingBits(k) << 32) | (pair & 0xffffffff);
    store<u64>(to + (<usize>at << 3), pair);
  }
}
