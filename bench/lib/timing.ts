// Round-robin timing: every round calls each contender once, so that whatever the shared
// machine is doing at a given moment slows all of them alike. The order is shuffled every round
// (seeded, so runs repeat): a call inherits the caches, the garbage and the warm code of the
// call before it, and a fixed or merely rotated order would give each contender the same
// predecessor almost every time (WebAssembly copy-in right after zero-copy, say, finding the
// library's code and the kernels hot). Only ratios of medians from one such run are meaningful.
//
// By default each call is timed on its own, never in a batch of calls of one contender, and no
// round starts with the contender that ended the previous one: every call follows a call of
// another contender and finds the caches as that one left them, as in a training loop where the
// model's passes run between two loss calls ("cold").
//
// With `warm`, each sample is instead a batch of consecutive calls of one contender lasting about
// WARM_BATCH_MS (calibrated per contender after the warm-up), divided by its call count: the
// steady-state cost of a call whose data stays in cache from the previous one, as in a loop that
// evaluates the same tensors again and again. Rounds still interleave contenders.
// performance.now() in Node has sub-microsecond resolution and costs ~0.1 µs, about 1 % of the
// fastest call measured here (~10 µs).
import { rng } from './data.js';

/** Anything timed: one call of `run` is one Dice value + gradient. */
export interface Runnable {
  readonly id: string;
  /** Returns the loss (kept, so that no call can be optimised away). */
  run(): number;
}

export interface Schedule {
  /** Warm-up: at least this many rounds (V8 and WebAssembly tier-up, memory growth, first touch)… */
  warmupRounds: number;
  /** …and at least this long in total. */
  warmupMs: number;
  /** Measurement: at least this many samples per contender, whatever the budget… */
  minSamples: number;
  /** …then more rounds while the total measurement time is under the budget… */
  budgetMs: number;
  /** …up to this many samples. */
  maxSamples: number;
}

export interface Measurement {
  /** Milliseconds of each timed call, in the order measured. */
  samplesMs: number[];
  medianMs: number;
  q1Ms: number;
  q3Ms: number;
  minMs: number;
}

/** Target duration of one warm batch (at least one call). */
const WARM_BATCH_MS = 5;

/** Seed of the order of the calls within each round. */
const ORDER_SEED = 20240601;

/** Sum of every loss returned, read once at the end (see `consumeSink`). */
let sink = 0;

/** Reads the sink so that the work that produced it is observable; throws if a loss was not finite. */
export function consumeSink(): void {
  if (!Number.isFinite(sink)) throw new Error(`a timed call returned a non-finite loss (sum of losses: ${sink})`);
}

/** One call of a round-robin measurement: which contender, and whether it is timed (else warm-up). */
interface Turn {
  index: number;
  timed: boolean;
}

/**
 * The calls of a round-robin measurement of `count` contenders, in order: warm-up rounds, then
 * `beforeTimed()` once, then timed rounds while `schedule` asks for more; every round in a new
 * shuffled order (`nextOrder`).
 */
function* turns(count: number, schedule: Schedule, beforeTimed: () => void = () => {}): Generator<Turn> {
  const order = Array.from({ length: count }, (_, i) => i);
  const random = rng(ORDER_SEED);
  // Untimed: lets V8 and WebAssembly tier up, memories grow and pages be touched.
  const warmupStart = performance.now();
  for (let round = 0; round < schedule.warmupRounds || performance.now() - warmupStart < schedule.warmupMs; round++) {
    nextOrder(order, random);
    for (const index of order) yield { index, timed: false };
  }
  beforeTimed();
  // The same number of samples for every contender: one per round.
  const start = performance.now();
  for (
    let round = 0;
    round < schedule.maxSamples && (round < schedule.minSamples || performance.now() - start < schedule.budgetMs);
    round++
  ) {
    nextOrder(order, random);
    for (const index of order) yield { index, timed: true };
  }
}

/** Warms up, then times `contenders` round-robin according to `schedule` (one call per sample, or warm batches). */
export function measureRoundRobin(
  contenders: readonly Runnable[],
  schedule: Schedule,
  warm = false,
): Map<string, Measurement> {
  // Calls per sample: 1, or (warm) as many as fill WARM_BATCH_MS at the contender's speed after the warm-up.
  const calls = contenders.map(() => 1);
  const calibrate = () =>
    contenders.forEach((c, i) => {
      if (!warm) return;
      const t0 = performance.now();
      sink += c.run();
      calls[i] = Math.max(1, Math.round(WARM_BATCH_MS / Math.max(performance.now() - t0, 1e-3)));
    });
  const samples = contenders.map(() => [] as number[]);
  for (const { index, timed } of turns(contenders.length, schedule, calibrate)) {
    const t0 = performance.now();
    const n = timed ? calls[index] : 1;
    for (let k = 0; k < n; k++) sink += contenders[index].run();
    if (timed) samples[index].push((performance.now() - t0) / n);
  }
  return measurements(contenders, samples);
}

/** Anything timed whose call returns a promise (the pool): one call is awaited before the next starts. */
export interface AsyncRunnable {
  readonly id: string;
  run(): number | Promise<number>;
}

/**
 * measureRoundRobin for contenders that may return promises: each call is timed from its start
 * until its promise settles, one call at a time, single calls only (no warm batches).
 */
export async function measureRoundRobinAsync(
  contenders: readonly AsyncRunnable[],
  schedule: Schedule,
): Promise<Map<string, Measurement>> {
  const samples = contenders.map(() => [] as number[]);
  for (const { index, timed } of turns(contenders.length, schedule)) {
    const t0 = performance.now();
    sink += await contenders[index].run();
    if (timed) samples[index].push(performance.now() - t0);
  }
  return measurements(contenders, samples);
}

function measurements(contenders: readonly { id: string }[], samples: readonly number[][]): Map<string, Measurement> {
  const result = new Map<string, Measurement>();
  contenders.forEach((c, i) => {
    const sorted = [...samples[i]].sort((a, b) => a - b);
    result.set(c.id, {
      samplesMs: samples[i],
      medianMs: quantile(sorted, 0.5),
      q1Ms: quantile(sorted, 0.25),
      q3Ms: quantile(sorted, 0.75),
      minMs: sorted[0],
    });
  });
  return result;
}

/**
 * Shuffles `order` in place (Fisher–Yates) for the next round, such that the round does not
 * start with the contender that ended the previous one.
 */
function nextOrder(order: number[], random: () => number): void {
  const previousLast = order[order.length - 1];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  if (order.length > 1 && order[0] === previousLast) {
    const j = 1 + Math.floor(random() * (order.length - 1));
    [order[0], order[j]] = [order[j], order[0]];
  }
}

/**
 * Quantile of sorted values, linear between order statistics (the median of an even count is the
 * mean of the middle two).
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}
