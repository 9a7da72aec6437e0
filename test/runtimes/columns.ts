// The runtime matrix's columns: each check's short name (the start of its test's name, before
// ': ') and what it checks. Shared by runtimes.matrix.ts (which names its tests so) and
// table-reporter.ts (which prints the runtime × check table from the tests' results).

export const COLUMNS = [
  ['starts', 'installed and started: its version is the pinned one'],
  ['import', 'ES module import by name: resolves through "exports" to dist/index.js, computes the worked example'],
  [
    'require',
    'CommonJS require by name (Node with require(esm) off): dist/cjs/index.js, worked example on every backend',
  ],
  ['IIFE', 'classic <script> of dist/dice-wasm.iife.js: the global DiceWasm, worked example on every backend'],
  ['backends', 'worked example on simd, scalar and js (and the default, simd), with loadDice and loadDiceSync'],
  ['wasm ≡ js', 'simd and scalar ≡ js on 18 seeded random cases (6 losses × 3 seeds): value and gradient within 1e-5'],
  [
    'js ≡ f64 ref',
    "js's loss on the same cases ≡ an independent float64 reference (test/reference/overlap.ts) within 1e-12",
  ],
  ['worker', 'the worked example on every backend inside workers: worker_threads, Web Workers'],
  [
    'memory',
    "alloc arrays across memory growth (this kernel's, another's): kept in place where shared, " +
      'refused where not; freed arrays refused',
  ],
  [
    'pool',
    'createDicePool: default size = cores; split calls ≡ loadDice() (1e-6 / 1e-5) on the main thread, ' +
      'in a worker, across memory growth; terminate rejects pending; an unterminated pool lets the ' +
      'process exit',
  ],
  ['pool, no waitAsync', 'the same without Atomics.waitAsync (workers report by message)'],
  ['refusal', 'without cross-origin isolation createDicePool refuses, naming COOP/COEP'],
] as const;

export type Column = (typeof COLUMNS)[number][0];

/** A test's name: its column, ': ', what it does. */
export function testName(column: Column, description: string): string {
  return `${column}: ${description}`;
}

/** The column of a test's name, or null. */
export function columnOf(name: string): Column | null {
  const head = name.slice(0, name.indexOf(': '));
  return COLUMNS.some(([column]) => column === head) ? (head as Column) : null;
}
