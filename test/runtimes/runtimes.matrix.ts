// The runtime matrix (`npm run test:runtimes`): the packed package (test/support/packed.ts) in
// every JavaScript runtime its users have — Node 20 (the machine's), 22, 24 and 26, Deno 2 and
// Bun (pinned npm packages, test/runtimes/install.ts), Chromium and Firefox ESR (Debian's).
// Each runtime runs the same checks (consumer/matrix-checks.mjs, on test/loading/checks.js and
// pool-checks.js) and returns plain data; the expectations are here, from independent sources:
// the worked example, an independent float64 reference, the machine's core count, the messages
// the API documents. A runtime that cannot be installed or started fails all its checks, with the
// reason; a check a runtime cannot have (require in a browser) is no test, shown as '—' in the
// table that table-reporter.ts prints and writes as JSON.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { runInThisContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import type * as DiceWasmModule from '../../src/index.js';
import { installPacked, repositoryRoot } from '../support/packed.js';
import { serveStatic } from '../support/static-server.js';
import { overlapReferenceLoss, type RefLoss } from '../reference/overlap.js';
import { launchMatrixChromium, launchMatrixFirefox, type MatrixBrowser } from './browsers.js';
import { type Column, testName } from './columns.js';
import { EXECUTABLES, type InstalledRuntime, installRuntimes, pinnedVersion } from './install.js';

declare module '@vitest/runner' {
  interface TaskMeta {
    /** The runtime's version, set by its 'starts' check. */
    runtimeVersion?: string;
  }
}

const BACKENDS = ['simd', 'scalar', 'js'] as const;
const WORKED_LOSS = 0.35692084;
const WORKED_COEFFICIENT = 0.64307916;
const POOL_REFUSAL =
  'Error: createDicePool: needs SharedArrayBuffer, which a page has only when cross-origin isolated: ' +
  'serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: ' +
  'require-corp (COOP/COEP)';

// ---------------------------------------------------------------------------------------------
// What the runtimes return (consumer/*.mjs, test/loading/*.js).

interface Worked {
  backend: string;
  loss: number;
  coefficient: number;
}
type PerBackend = Record<'default' | (typeof BACKENDS)[number], Worked>;
interface AgreementRow {
  case: string;
  backend: string;
  loss: number;
  reference: number;
  valueError: number;
  gradError: number;
  gradLength: number;
  gradScale: number;
}
interface PoolRow {
  name: string;
  loss: number;
  expected: number;
  lossError: number;
  gradError: number;
  gradLength: number;
}
/** pool-checks.js compare(). */
interface Comparison {
  isolated: boolean | undefined;
  threads: number;
  backend: string;
  rows: PoolRow[];
  terminated: string;
}
interface PoolResult extends Comparison {
  hadWaitAsync: boolean;
  waitAsyncDuring: string;
  defaultThreads: number;
  growth: { grewBy: number; rows: { loss: number; expected: number; gradError: number }[] };
  inWorker: Comparison | { error: string } | null;
  /** Server runtimes: the loss of a call on a pool left running. */
  unterminated?: number;
}
interface MemoryResult {
  shared: boolean;
  before: number;
  afterOtherGrew: number | string;
  grewBy: number;
  afterGrowth: number | string;
  afterFree: number | string;
}
interface RandomCase {
  name: string;
  loss: RefLoss;
  pred: Float32Array;
  target: Float32Array | Uint8Array;
  options: Record<string, unknown>;
}

// The seeded cases, regenerated here from the same script the runtimes run (test/loading/checks.js).
const { randomCases } = runInThisContext(
  `${readFileSync(join(repositoryRoot, 'test/loading/checks.js'), 'utf8')}; globalThis.diceChecks`,
) as { randomCases(seed: number): RandomCase[] };

/** What runtimes/page.mjs and the pages of test/loading/ put on a page's global object. */
interface PageGlobals {
  runCheck(name: string): Promise<unknown>;
  DiceWasm: typeof DiceWasmModule;
  diceChecks: { workedExampleOnEveryBackend(load: typeof DiceWasmModule.loadDice): Promise<PerBackend> };
}
const SEEDS = [11, 12, 13];

// ---------------------------------------------------------------------------------------------
// Set-up, once, on first use: each check awaits what it needs, so that a failure fails the checks
// of the runtimes it concerns, with its reason.

/** A value made on first use; `settled()` is what it became, if it was ever made (undefined if it failed). */
class Lazy<T> {
  private value: Promise<T> | undefined;
  constructor(private readonly make: () => Promise<T>) {}
  get(): Promise<T> {
    this.value ??= this.make();
    return this.value;
  }
  settled(): Promise<T | undefined> {
    return this.value?.catch(() => undefined) ?? Promise.resolve(undefined);
  }
}

/** The packed package in a new directory, with consumer/ as runtimes/. */
const consumer = new Lazy(async () => {
  const dir = installPacked();
  cpSync(fileURLToPath(new URL('./consumer', import.meta.url)), join(dir, 'runtimes'), { recursive: true });
  return dir;
});
const installed = new Lazy(async () => realpathSync(join(await consumer.get(), 'node_modules/dice-wasm')));
const plainServer = new Lazy(async () => serveStatic(await consumer.get()));
const isolatedServer = new Lazy(async () => serveStatic(await consumer.get(), { crossOriginIsolated: true }));
const denoDir = new Lazy(async () => mkdtempSync(join(tmpdir(), 'dice-wasm-deno-dir-')));
const chromium = new Lazy(launchMatrixChromium);
const firefox = new Lazy(launchMatrixFirefox);

afterAll(async () => {
  for (const closable of [chromium, firefox, plainServer, isolatedServer]) await (await closable.settled())?.close();
  for (const dir of [consumer, denoDir]) {
    const path = await dir.settled();
    if (path) rmSync(path, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Server runtimes: Node, Deno, Bun, each check a process of its own in the consumer's runtimes/.

interface ServerRuntime {
  label: string;
  /** The executable (after installing it). */
  executable(): Promise<string>;
  /** The version it must report (exactly, or its major for the machine's Node). */
  expectVersion(reported: string): void;
  /** Prints its version: `<exe> --version`, parsed. */
  parseVersion(output: string): string;
  /** Its arguments to run `file` with `check`; `read`: the check needs to read the consumer's files. */
  args(file: string, check: string, consumerDir: string, read: boolean): string[];
  env?(): Promise<NodeJS.ProcessEnv>;
  /** Worker APIs it has: every runtime here has worker_threads; Deno and Bun also the Web Worker API. */
  webWorker: boolean;
}

function installedExecutable(name: InstalledRuntime): () => Promise<string> {
  return async () => join(await installRuntimes(), EXECUTABLES[name]);
}

function node(label: string, name: InstalledRuntime | null): ServerRuntime {
  return {
    label,
    executable: name ? installedExecutable(name) : async () => process.execPath,
    parseVersion: (output) => output.trim().replace(/^v/, ''),
    expectVersion: (reported) =>
      name
        ? expect(reported).toBe(pinnedVersion(name))
        : expect(reported, "the machine's Node is the matrix's Node 20").toMatch(/^20\./),
    args: (file, check) => [...(file.endsWith('.cjs') ? ['--no-experimental-require-module'] : []), file, check],
    webWorker: false,
  };
}

const SERVER_RUNTIMES: ServerRuntime[] = [
  node('Node 20', null),
  node('Node 22', 'node22'),
  node('Node 24', 'node24'),
  node('Node 26', 'node26'),
  {
    label: 'Deno 2',
    executable: installedExecutable('deno'),
    parseVersion: (output) => /^deno (\S+)/.exec(output)?.[1] ?? output,
    expectVersion: (reported) => expect(reported).toBe(pinnedVersion('deno')),
    // No permission at all, but read access to the consumer where Deno asks for it: require()
    // and worker files (its rule for any package, not this one's).
    args: (file, check, dir, read) => ['run', '--no-prompt', ...(read ? [`--allow-read=${dir}`] : []), file, check],
    env: async () => ({ DENO_DIR: await denoDir.get(), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }),
    webWorker: true,
  },
  {
    label: 'Bun',
    executable: installedExecutable('bun'),
    parseVersion: (output) => output.trim(),
    expectVersion: (reported) => expect(reported).toBe(pinnedVersion('bun')),
    // --no-install: the package comes from node_modules, never from Bun's auto-install.
    args: (file, check) => ['--no-install', file, check],
    webWorker: true,
  },
];

/** A check's process takes seconds; one that has not exited by then hangs (a pool left running would keep it alive). */
const PROCESS_TIMEOUT_MS = 120_000;

async function runServer(runtime: ServerRuntime, args: (dir: string) => string[]): Promise<string> {
  const dir = await consumer.get();
  const exe = await runtime.executable();
  const env = { ...process.env, ...(await runtime.env?.()) };
  try {
    const { stdout } = await promisify(execFile)(exe, args(dir), {
      cwd: join(dir, 'runtimes'),
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: PROCESS_TIMEOUT_MS,
    });
    return stdout;
  } catch (error) {
    const { stderr, message, killed } = error as { stderr?: string; message: string; killed?: boolean };
    const why = killed ? `did not exit within ${PROCESS_TIMEOUT_MS / 1000} s (killed): ` : '';
    throw new Error(`${runtime.label}: ${why}${message}\n${stderr ?? ''}`);
  }
}

async function probe<T>(runtime: ServerRuntime, file: 'probe.mjs' | 'probe.cjs', check: string): Promise<T> {
  const read = file === 'probe.cjs' || check === 'worker' || check === 'pool';
  return JSON.parse(await runServer(runtime, (dir) => runtime.args(file, check, dir, read))) as T;
}

// ---------------------------------------------------------------------------------------------
// Browsers: runtimes/page.html on a server of the consumer, plain or cross-origin isolated.

interface BrowserRuntime {
  label: string;
  launch(): Promise<MatrixBrowser>;
}

const BROWSER_RUNTIMES: BrowserRuntime[] = [
  { label: 'Chromium', launch: () => chromium.get() },
  { label: 'Firefox ESR', launch: () => firefox.get() },
];

async function origin(isolated: boolean): Promise<string> {
  return (await (isolated ? isolatedServer : plainServer).get()).origin;
}

async function inPage<T>(runtime: BrowserRuntime, check: string, isolated: boolean): Promise<T> {
  const browser = await runtime.launch();
  return (await browser.evaluate(
    `${await origin(isolated)}/runtimes/page.html`,
    (name: string) => (globalThis as unknown as PageGlobals).runCheck(name),
    check,
  )) as T;
}

// ---------------------------------------------------------------------------------------------
// The expectations.

function expectWorkedExample(worked: Worked, backend: string): void {
  expect(worked.backend).toBe(backend);
  expect(worked.loss, backend).toBeCloseTo(WORKED_LOSS, 6);
  expect(worked.coefficient, backend).toBeCloseTo(WORKED_COEFFICIENT, 6);
}

function expectWorkedExampleEverywhere(results: PerBackend): void {
  expectWorkedExample(results.default, 'simd');
  for (const backend of BACKENDS) expectWorkedExample(results[backend], backend);
}

function expectBackends(out: { async: PerBackend; sync: PerBackend }): void {
  expectWorkedExampleEverywhere(out.async);
  expectWorkedExampleEverywhere(out.sync);
}

function expectWasmEqualsJs(out: { seed: number; rows: AgreementRow[] }[]): void {
  expect(out.map(({ seed }) => seed)).toEqual(SEEDS);
  for (const { seed, rows } of out) {
    expect(rows.length, `seed ${seed}`).toBe(6 * 2);
    for (const row of rows) {
      const where = `seed ${seed}, ${row.case} on ${row.backend}: loss ${row.loss} vs ${row.reference}`;
      expect(Number.isFinite(row.loss) && row.gradLength > 0 && row.gradScale > 0, where).toBe(true);
      expect(row.valueError, where).toBeLessThanOrEqual(1e-5);
      expect(row.gradError, `${where}, gradient`).toBeLessThanOrEqual(1e-5);
    }
  }
}

/** The js backend's loss of each case (in the rows as `reference`) against the float64 reference computed here. */
function expectJsEqualsReference(out: { seed: number; rows: AgreementRow[] }[]): void {
  expect(out.map(({ seed }) => seed)).toEqual(SEEDS);
  for (const { seed, rows } of out) {
    const cases = randomCases(seed);
    expect(rows.map((row) => row.case)).toEqual(cases.flatMap((c) => [c.name, c.name]));
    for (const c of cases) {
      const want = overlapReferenceLoss(c.loss, c.pred, c.target, c.options);
      for (const row of rows.filter((r) => r.case === c.name)) {
        expect(
          Math.abs(row.reference - want),
          `seed ${seed}, ${c.name}: js ${row.reference} vs ${want}`,
        ).toBeLessThanOrEqual(1e-12 * Math.abs(want));
      }
    }
  }
}

/** pool-checks.js compare(): 2 threads, split calls ≡ loadDice(), terminate rejects what is pending. */
function expectSameAsOneThread(out: Comparison, isolated: boolean | undefined): void {
  expect({ threads: out.threads, backend: out.backend }).toEqual({ threads: 2, backend: 'simd' });
  if (isolated !== undefined) expect(out.isolated).toBe(isolated);
  expect(out.rows.map((row) => row.name)).toEqual([
    'diceCE, softmax, [2, 3, 20001]',
    'binary Dice, 50003 probabilities',
    'diceCE, softmax, [1, 4, 2^18], default threshold',
  ]);
  for (const row of out.rows) {
    expect(Number.isFinite(row.loss) && row.gradLength > 0, row.name).toBe(true);
    expect(row.lossError, `${row.name}: ${row.loss} vs ${row.expected}`).toBeLessThanOrEqual(1e-6);
    expect(row.gradError, `${row.name}, gradient`).toBeLessThanOrEqual(1e-5);
  }
  expect(out.terminated).toBe('dice-wasm pool: the pool was terminated');
}

/** The pool's default size, the comparison, and arrays from pool.alloc across a growth of its memory. */
function expectPool(out: PoolResult, isolated: boolean | undefined): void {
  expect(out.defaultThreads, 'createDicePool() makes one thread per logical core').toBe(availableParallelism());
  expectSameAsOneThread(out, isolated);
  expect(out.growth.grewBy, 'the shared memory grew').toBeGreaterThanOrEqual(128 << 20);
  expect(out.growth.rows.length).toBe(2);
  for (const [i, row] of out.growth.rows.entries()) {
    const where = i === 0 ? 'array allocated before the growth' : 'array at the far end of the grown memory';
    expect(Math.abs(row.loss - row.expected) / Math.abs(row.expected), where).toBeLessThanOrEqual(1e-6);
    expect(row.gradError, `${where}, gradient`).toBeLessThanOrEqual(1e-5);
  }
}

function expectPoolInWorker(out: PoolResult, isolated: boolean | undefined): void {
  expect(out.inWorker, 'a pool started inside a worker').not.toBeNull();
  expect(out.inWorker).not.toHaveProperty('error');
  expectSameAsOneThread(out.inWorker as Comparison, isolated);
}

function expectPoolWithoutWaitAsync(out: PoolResult, isolated: boolean | undefined): void {
  expect(out.waitAsyncDuring, 'Atomics.waitAsync was removed for the check').toBe('undefined');
  expectPool(out, isolated);
}

const FREED = /^TypeError: diceLoss: .*was freed \(by free\(\) or at the end of its scope\)/;
const DETACHED =
  /^TypeError: diceLoss: .*was allocated with alloc\(\) before the WebAssembly memory grew, which detached it/;

/** memory(): arrays from alloc in place across growth where the memory is shared, refused where it is not. */
function expectMemory(out: MemoryResult, shared: boolean): void {
  expect(out.shared).toBe(shared);
  expect(out.before).toBeCloseTo(WORKED_LOSS, 6);
  expect(out.afterOtherGrew, "after another kernel's memory grew").toBeCloseTo(WORKED_LOSS, 6);
  expect(out.grewBy, "the kernel's memory grew").toBeGreaterThanOrEqual(32 << 20);
  if (shared) expect(out.afterGrowth, 'after its own memory grew').toBeCloseTo(WORKED_LOSS, 6);
  else expect(out.afterGrowth, 'after its own memory grew').toMatch(DETACHED);
  expect(out.afterFree).toMatch(FREED);
}

function check(
  column: Column,
  description: string,
  body: (task: { meta: { runtimeVersion?: string } }) => Promise<void>,
) {
  it(testName(column, description), ({ task }) => body(task));
}

// ---------------------------------------------------------------------------------------------

for (const runtime of SERVER_RUNTIMES) {
  describe(runtime.label, () => {
    check('starts', 'is installed and reports its pinned version', async (task) => {
      const version = runtime.parseVersion(await runServer(runtime, () => ['--version']));
      task.meta.runtimeVersion = version;
      runtime.expectVersion(version);
    });

    check('import', "imports 'dice-wasm' by name: dist/index.js, and the worked example", async () => {
      const out = await probe<{ resolved: string; compat: string; npmSpecifier: boolean | null; worked: Worked }>(
        runtime,
        'probe.mjs',
        'import',
      );
      const dist = await installed.get();
      expect(out.resolved).toBe(pathToFileURL(join(dist, 'dist/index.js')).href);
      expect(out.compat).toBe(pathToFileURL(join(dist, 'dist/compat/index.js')).href);
      if (runtime.label.startsWith('Deno')) expect(out.npmSpecifier, 'npm:dice-wasm is the same module').toBe(true);
      expectWorkedExample(out.worked, 'simd');
    });

    check('require', "requires 'dice-wasm' by name: dist/cjs/index.js, worked example on every backend", async () => {
      const out = await probe<{ resolved: string; compat: string; async: PerBackend; sync: PerBackend }>(
        runtime,
        'probe.cjs',
        'require',
      );
      const dist = await installed.get();
      expect(out.resolved).toBe(join(dist, 'dist/cjs/index.js'));
      expect(out.compat).toBe(join(dist, 'dist/cjs/compat/index.js'));
      expectBackends(out);
    });

    check('backends', 'worked example on simd, scalar and js, with loadDice and loadDiceSync', async () => {
      expectBackends(await probe(runtime, 'probe.mjs', 'backends'));
    });

    const agreement = new Lazy(() =>
      probe<{ seed: number; rows: AgreementRow[] }[]>(runtime, 'probe.mjs', 'agreement'),
    );
    check('wasm ≡ js', 'simd and scalar ≡ js on seeded random cases, value and gradient within 1e-5', async () => {
      expectWasmEqualsJs(await agreement.get());
    });
    check('js ≡ f64 ref', "js's losses ≡ the independent float64 reference within 1e-12", async () => {
      expectJsEqualsReference(await agreement.get());
    });

    check('worker', 'worked example in worker_threads (imported, required) and Web Workers', async () => {
      const out = await probe<Record<string, PerBackend & { isMainThread?: boolean; resolved?: string }>>(
        runtime,
        'probe.mjs',
        'worker',
      );
      expect(Object.keys(out)).toEqual([
        'thread-worker.mjs',
        'thread-worker.cjs',
        ...(runtime.webWorker ? ['web-worker.mjs'] : []),
      ]);
      expect(out['thread-worker.mjs'].isMainThread).toBe(false);
      expect(out['thread-worker.cjs'].isMainThread).toBe(false);
      expect(out['thread-worker.cjs'].resolved).toBe(join(await installed.get(), 'dist/cjs/index.js'));
      for (const results of Object.values(out)) expectWorkedExampleEverywhere(results);
    });

    check(
      'memory',
      'arrays from alloc stay valid in the shared memory when it grows; freed ones are refused',
      async () => {
        expectMemory(await probe(runtime, 'probe.mjs', 'memory'), true);
      },
    );

    check(
      'pool',
      'createDicePool: worker_threads split the calls, results ≡ loadDice(), also in a worker',
      async () => {
        const out = await probe<PoolResult>(runtime, 'probe.mjs', 'pool');
        expect(out.hadWaitAsync, 'Atomics.waitAsync is there (the next check removes it)').toBe(true);
        expectPool(out, undefined);
        expectPoolInWorker(out, undefined);
        // The process printed this and exited with the pool still running (runServer waits for the exit).
        expect(out.unterminated).toBeCloseTo(WORKED_LOSS, 6);
      },
    );

    check('pool, no waitAsync', 'the same with Atomics.waitAsync removed', async () => {
      expectPoolWithoutWaitAsync(await probe(runtime, 'probe.mjs', 'pool-no-waitAsync'), undefined);
    });
  });
}

for (const runtime of BROWSER_RUNTIMES) {
  describe(runtime.label, () => {
    check('starts', 'starts headless', async (task) => {
      const { version } = await runtime.launch();
      task.meta.runtimeVersion = version.replace(/^\S+ /, '');
      expect(version).toMatch(/^\S+ \d+\./);
    });

    check(
      'import',
      "<script type=module> imports 'dice-wasm' by name (import map), and the worked example",
      async () => {
        const out = await inPage<{ resolved: string; isolated: boolean; worked: Worked }>(runtime, 'import', false);
        expect(out.resolved).toBe(`${await origin(false)}/node_modules/dice-wasm/dist/index.js`);
        expect(out.isolated).toBe(false);
        expectWorkedExample(out.worked, 'simd');
      },
    );

    check('IIFE', 'a classic <script> of dist/dice-wasm.iife.js: worked example on every backend', async () => {
      const browser = await runtime.launch();
      const out = await browser.evaluate(
        `${await origin(false)}/classic.html`,
        () => {
          const page = globalThis as unknown as PageGlobals;
          return page.diceChecks.workedExampleOnEveryBackend(page.DiceWasm.loadDice);
        },
        null,
        'DiceWasm',
      );
      expectWorkedExampleEverywhere(out as PerBackend);
    });

    check('backends', 'worked example on simd, scalar and js, with loadDice and loadDiceSync', async () => {
      expectBackends(await inPage(runtime, 'backends', false));
    });

    const agreement = new Lazy(() => inPage<{ seed: number; rows: AgreementRow[] }[]>(runtime, 'agreement', false));
    check('wasm ≡ js', 'simd and scalar ≡ js on seeded random cases, value and gradient within 1e-5', async () => {
      expectWasmEqualsJs(await agreement.get());
    });
    check('js ≡ f64 ref', "js's losses ≡ the independent float64 reference within 1e-12", async () => {
      expectJsEqualsReference(await agreement.get());
    });

    check('worker', 'worked example in a module Web Worker and a classic one (IIFE)', async () => {
      const out = await inPage<Record<string, PerBackend>>(runtime, 'worker', false);
      expect(Object.keys(out)).toEqual(['module-worker.js', 'classic-worker.js']);
      for (const results of Object.values(out)) expectWorkedExampleEverywhere(results);
    });

    check('memory', 'arrays from alloc across growth: valid when isolated (shared), refused when not', async () => {
      expectMemory(await inPage(runtime, 'memory', false), false);
      expectMemory(await inPage(runtime, 'memory', true), true);
    });

    check(
      'pool',
      'cross-origin isolated (COOP/COEP): Web Workers split the calls, ≡ loadDice(), also in a worker',
      async () => {
        const out = await inPage<PoolResult>(runtime, 'pool', true);
        expect(out.hadWaitAsync, 'Atomics.waitAsync is there (the next check removes it)').toBe(true);
        expectPool(out, true);
        expectPoolInWorker(out, true);
      },
    );

    check('pool, no waitAsync', 'the same with Atomics.waitAsync removed', async () => {
      expectPoolWithoutWaitAsync(await inPage(runtime, 'pool-no-waitAsync', true), true);
    });

    check('refusal', 'not isolated: createDicePool refuses, naming COOP/COEP', async () => {
      const out = await inPage<{ isolated: boolean; message: string }>(runtime, 'refusal', false);
      expect(out).toEqual({ isolated: false, message: POOL_REFUSAL });
    });
  });
}
