// Benchmark: connected-component labelling of a 256³ byte mask of many random blobs (6000
// spheres of radius 2–8 voxels, ~22 % of the voxels), 6- and 26-connectivity, labels written to
// an Int32Array, for
//   dice-wasm's JS backend (the textbook voxel-by-voxel two-pass union-find in TypeScript; the baseline) ·
//   dice-wasm WebAssembly zero-copy (mask and labels from k.alloc) and copy-in (plain arrays) ·
//   the scalar WebAssembly build (zero-copy) ·
//   native C (bench/native/components.c: the kernel's run-based algorithm, gcc -O3 -msse4.1 -mno-avx).
// Every contender must find the JS backend's components (count, and a checksum of the labels)
// before anything is timed. Rounds call every contender once in a shuffled order; the native one
// runs as a process that labels the mask twice (the first call touches its pages) and reports the
// second call's time, measured inside it; it is started by a small helper process
// (bench/native-runner.ts) so that no fork write-protects this process's large arrays. Medians;
// the load average before and after is recorded.
//
// Run with `npm run bench:components` or, once built, `node build/bench/bench/components.bench.js`.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDice, type DiceKernel } from '../src/index.js';
import { rng } from './lib/data.js';
import { engineInfo, machineInfo, packageRoot, packageVersions } from './lib/machine.js';
import { formatRatio, formatTime, progress, writeJson } from './lib/report.js';
import { quantile } from './lib/timing.js';

const N = 256;
const BLOBS = 6000;
const WARMUP_ROUNDS = 2;
const ROUNDS = Number(process.env.COMPONENTS_ROUNDS ?? 11);
const CONNECTIVITIES = [6, 26] as const;

const IMPLEMENTATIONS = [
  {
    id: 'jsBackend',
    label: 'dice-wasm JS backend',
    what: "k.connectedComponents on loadDice({ backend: 'js' }) (baseline)",
  },
  { id: 'wasmZeroCopy', label: 'dice-wasm WASM zero-copy', what: 'k.connectedComponents, mask and out from k.alloc' },
  {
    id: 'wasmCopyIn',
    label: 'dice-wasm WASM copy-in',
    what: 'k.connectedComponents on plain arrays (copied in and out)',
  },
  { id: 'scalarZeroCopy', label: 'dice-wasm scalar WASM', what: "loadDice({ backend: 'scalar' }), zero-copy" },
  {
    id: 'nativeC',
    label: 'C -O3 -msse4.1 -mno-avx',
    what: 'bench/native/components.c, the same algorithm, timed inside the process',
  },
] as const;
type Id = (typeof IMPLEMENTATIONS)[number]['id'];

/** 6000 spheres of radius 2–8 at random centres (seeded). */
function blobs(): Uint8Array {
  const mask = new Uint8Array(N ** 3);
  const random = rng(20250917);
  for (let k = 0; k < BLOBS; k++) {
    const cx = random() * N,
      cy = random() * N,
      cz = random() * N,
      r = 2 + random() * 6;
    for (let z = Math.max(0, Math.ceil(cz - r)); z <= Math.min(N - 1, cz + r); z++)
      for (let y = Math.max(0, Math.ceil(cy - r)); y <= Math.min(N - 1, cy + r); y++)
        for (let x = Math.max(0, Math.ceil(cx - r)); x <= Math.min(N - 1, cx + r); x++)
          if ((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2 <= r * r) mask[(z * N + y) * N + x] = 1;
  }
  return mask;
}

interface Contender {
  id: Id;
  /** Labels once; returns the milliseconds it took and what it found. */
  time(): Timed | Promise<Timed>;
  dispose(): void;
}

interface Timed {
  ms: number;
  count: number;
  checksum: number;
}

/** The process that runs native programs (bench/native-runner.ts), and one request to it. */
interface Runner {
  child: ChildProcess;
  run(file: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }>;
}

function startRunner(): Runner {
  const child = fork(new URL('./native-runner.js', import.meta.url));
  let next = 0;
  const waiting = new Map<number, (reply: { status: number | null; stdout: string; stderr: string }) => void>();
  child.on('message', (reply: { id: number; status: number | null; stdout: string; stderr: string }) => {
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  return {
    child,
    run: (file, args) =>
      new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        child.send({ id, file, args });
      }),
  };
}

/** A checksum of labels that depends on their order (so a different numbering shows). */
function checksum(labels: Int32Array): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i += 7) sum = (sum * 31 + labels[i]) % 1_000_000_007;
  return sum;
}

function kernelContender(id: Id, k: DiceKernel, mask: Uint8Array, connectivity: number, zeroCopy: boolean): Contender {
  let m = mask;
  let out = new Int32Array(mask.length);
  if (zeroCopy) {
    k.reserve(mask.length * 12 + (64 << 20));
    m = k.alloc(Uint8Array, mask.length);
    m.set(mask);
    out = k.alloc(Int32Array, mask.length);
  }
  const options = { shape: [1, N, N, N], connectivity, out };
  return {
    id,
    time: () => {
      const t0 = performance.now();
      const r = k.connectedComponents(m, options);
      const ms = performance.now() - t0;
      return { ms, count: r.counts[0], checksum: checksum(r.labels) };
    },
    dispose: () => {
      if (zeroCopy) {
        k.free(m);
        k.free(out);
      }
    },
  };
}

/** The native contender, or null (with the reason) when gcc is missing or fails. */
function nativeContender(root: string, runner: Runner, maskFile: string, connectivity: number): Contender | string {
  const binary = join(root, 'build', 'bench', 'native', 'components');
  try {
    mkdirSync(join(root, 'build', 'bench', 'native'), { recursive: true });
    execFileSync('gcc', ['-O3', '-msse4.1', '-mno-avx', '-o', binary, join(root, 'bench', 'native', 'components.c')]);
  } catch (error) {
    return `gcc could not build bench/native/components.c: ${error instanceof Error ? error.message : String(error)}`;
  }
  return {
    id: 'nativeC',
    time: async () => {
      const run = await runner.run(binary, [maskFile, String(N), String(N), String(N), String(connectivity), '2']);
      const words = run.stdout.trim().split(/\s+/);
      if (run.status !== 0 || words[0] !== 'components') throw new Error(`native run failed: ${run.stderr}`);
      const count = Number(words[1]);
      return { ms: Number(words[words.length - 1]), count, checksum: Number.NaN };
    },
    dispose: () => {},
  };
}

interface Row {
  connectivity: number;
  components: number;
  results: Partial<Record<Id, { medianMs: number; q1Ms: number; q3Ms: number; minMs: number; samples: number }>>;
  speedupVsJs: Partial<Record<Id, number>>;
  wasmOverNative: number | null;
}

async function main(): Promise<void> {
  const started = performance.now();
  const root = packageRoot();
  // Forked first, while this process is small (bench/native-runner.ts says why).
  const runner = startRunner();
  const loadBefore = loadavg();
  const kernels = {
    js: await loadDice({ backend: 'js' }),
    wasm: await loadDice(),
    wasmCopyIn: await loadDice(),
    scalar: await loadDice({ backend: 'scalar' }),
  };
  progress('making the 256³ mask');
  const mask = blobs();
  const fill = mask.reduce((a, v) => a + v, 0) / mask.length;
  const dir = mkdtempSync(join(tmpdir(), 'dice-wasm-components-'));
  const maskFile = join(dir, 'mask.bin');
  writeFileSync(maskFile, mask);
  const machine = machineInfo();
  const engine = engineInfo();
  console.log(
    `dice-wasm benchmark: connected components of a 256³ mask of ${BLOBS} random blobs ` +
      `(${(fill * 100).toFixed(1)} % of the voxels)`,
  );
  console.log(
    `machine: ${machine.cpu}, ${machine.cores} cores; Node ${engine.node}; ` +
      `load average before: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const rows: Row[] = [];
  let nativeNote: string | null = null;
  try {
    for (const connectivity of CONNECTIVITIES) {
      const contenders: Contender[] = [
        kernelContender('jsBackend', kernels.js, mask, connectivity, false),
        kernelContender('wasmZeroCopy', kernels.wasm, mask, connectivity, true),
        kernelContender('wasmCopyIn', kernels.wasmCopyIn, mask, connectivity, false),
        kernelContender('scalarZeroCopy', kernels.scalar, mask, connectivity, true),
      ];
      const native = nativeContender(root, runner, maskFile, connectivity);
      if (typeof native === 'string') nativeNote = native;
      else contenders.push(native);
      try {
        progress(`connectivity ${connectivity}: agreement check`);
        const expected = await contenders[0].time();
        for (const c of contenders.slice(1)) {
          const got = await c.time();
          const same =
            got.count === expected.count && (Number.isNaN(got.checksum) || got.checksum === expected.checksum);
          if (!same) {
            console.error(
              `FAILED: ${c.id} finds ${got.count} components (checksum ${got.checksum}), ` +
                `the JS backend ${expected.count} (${expected.checksum})`,
            );
            process.exitCode = 1;
            return;
          }
        }
        progress(
          `connectivity ${connectivity}: ${WARMUP_ROUNDS} warm-up and ${ROUNDS} timed rounds of ${contenders.length}`,
        );
        const samples = new Map<Id, number[]>(contenders.map((c) => [c.id, []]));
        const random = rng(7 + connectivity);
        for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
          const order = [...contenders].sort(() => random() - 0.5);
          for (const c of order) {
            const { ms } = await c.time();
            if (round >= WARMUP_ROUNDS) samples.get(c.id)?.push(ms);
          }
        }
        const results: Row['results'] = {};
        for (const [id, values] of samples) {
          const sorted = [...values].sort((a, b) => a - b);
          results[id] = {
            medianMs: quantile(sorted, 0.5),
            q1Ms: quantile(sorted, 0.25),
            q3Ms: quantile(sorted, 0.75),
            minMs: sorted[0],
            samples: sorted.length,
          };
        }
        const js = results.jsBackend?.medianMs ?? Number.NaN;
        rows.push({
          connectivity,
          components: expected.count,
          results,
          speedupVsJs: Object.fromEntries(
            Object.entries(results).map(([id, r]) => [id, js / (r?.medianMs ?? Number.NaN)]),
          ),
          wasmOverNative:
            results.nativeC === undefined
              ? null
              : (results.wasmZeroCopy?.medianMs ?? Number.NaN) / results.nativeC.medianMs,
        });
      } finally {
        for (const c of contenders) c.dispose();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    runner.child.kill();
  }
  const loadAfter = loadavg();
  console.log('');
  console.log('Median time per call (speed-up vs the JS backend):');
  const header = ['connectivity', 'components', ...IMPLEMENTATIONS.map((i) => i.label), 'WASM / C'];
  const lines = rows.map((r) => [
    String(r.connectivity),
    String(r.components),
    ...IMPLEMENTATIONS.map((i) => {
      const x = r.results[i.id];
      return x === undefined ? 'n/a' : `${formatTime(x.medianMs)} ${formatRatio(r.speedupVsJs[i.id] ?? Number.NaN)}`;
    }),
    r.wasmOverNative === null ? 'n/a' : `${r.wasmOverNative.toFixed(2)}×`,
  ]);
  const widths = header.map((h, col) => Math.max(h.length, ...lines.map((l) => l[col].length)));
  for (const line of [header, ...lines]) console.log(line.map((cell, col) => cell.padEnd(widths[col])).join('  '));
  if (nativeNote !== null) console.log(`native: not run (${nativeNote})`);
  console.log(
    `load average after: ${loadAfter.map((l) => l.toFixed(2)).join(' ')} ` +
      '(2 cores shared with other jobs: ratios from one run are what counts)',
  );
  const durationSeconds = (performance.now() - started) / 1000;
  const path = join(root, 'bench', 'results', 'components-latest.json');
  writeJson(path, {
    schemaVersion: 1,
    date: new Date().toISOString(),
    durationSeconds: Math.round(durationSeconds),
    machine,
    engine,
    loadAverage: { before: loadBefore, after: loadAfter },
    packages: packageVersions(root, ['assemblyscript']),
    native: nativeNote === null ? { compiler: gccVersion(), flags: '-O3 -msse4.1 -mno-avx' } : { skipped: nativeNote },
    method: {
      case:
        `a 256³ Uint8Array mask of ${BLOBS} spheres of radius 2–8 at seeded random centres ` +
        `(${(fill * 100).toFixed(1)} % of the voxels); ` +
        'k.connectedComponents(mask, { shape: [1, 256, 256, 256], connectivity, out })',
      timing:
        `${WARMUP_ROUNDS} warm-up rounds, then ${ROUNDS} rounds calling every contender once in a shuffled order; ` +
        'each call timed on its own (the native one inside its process, on its second labelling); medians',
      baseline: 'jsBackend',
    },
    implementations: IMPLEMENTATIONS,
    rows,
  });
  console.log(`results: ${path}`);
}

function gccVersion(): string {
  try {
    return execFileSync('gcc', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return 'unknown';
  }
}

await main();
