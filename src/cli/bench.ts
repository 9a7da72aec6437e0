// `dice-wasm bench`: runs the repository's benchmark suite (bench/: Dice value + gradient against
// TF.js and plain loops and its chart, confusion counts, surface distances, Dice + cross-entropy,
// the Lovász losses, a TF.js training step), which prints its tables. The suite compares against
// TF.js, a devDependency, so it runs from a clone of the repository after `npm install`, not from
// the published package.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_USAGE = `Usage: dice-wasm bench [--sizes=4K,64K,1M,16M] [--cases=binary,softmax4] [--warm]

Runs the benchmark suite of the repository (bench/, see bench/README.md) and prints its tables:
Dice value + gradient per call (dice-wasm's backends, a plain JavaScript loop, TF.js), confusion
counts, HD95 of two spheres (WebAssembly vs the JS backend), Dice + cross-entropy from logits (vs
TF.js), the Lovász losses and their sort, and a TF.js training step with tfDiceLoss vs the loss in
tf ops. A full run writes bench/results/latest.json, its chart latest.svg, confusion-latest.json,
surface-latest.json, losses-latest.json, lovasz-latest.json and tfjs-train-latest.json (about 11
minutes on 2 cores). With --sizes, --cases or --warm only the Dice benchmark runs,
as bench/dice.bench.ts does with those arguments. Needs a clone of the repository with its
devDependencies installed (npm install), where \`npm run bench\` does the same.
`;

export function runBench(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(BENCH_USAGE);
    return 0;
  }
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const compiled = join(root, 'build', 'bench', 'bench');
  const tsc = resolveFrom(root, 'typescript/bin/tsc');
  if (!existsSync(join(root, 'bench', 'dice.bench.ts')) || tsc === null) {
    process.stderr.write(
      `dice-wasm bench: the benchmark suite is not here (${join(root, 'bench')}); it is part of the ` +
        `repository: clone it, then npm install && npm run bench\n`,
    );
    return 1;
  }
  const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
  const steps: string[][] = [
    [tsc, '-p', join(root, 'bench', 'tsconfig.json')],
    [join(compiled, 'dice.bench.js'), ...argv],
  ];
  const full = argv.length === 0;
  if (full) {
    for (const step of [
      'chart.js',
      'confusion.bench.js',
      'surface.bench.js',
      'losses.bench.js',
      'lovasz.bench.js',
      'tfjs-train.bench.js',
    ])
      steps.push([join(compiled, step)]);
  }
  for (const step of steps) {
    const status = node(step);
    if (status !== 0) return status;
  }
  return 0;
}

function resolveFrom(root: string, specifier: string): string | null {
  try {
    return createRequire(join(root, 'package.json')).resolve(specifier);
  } catch {
    return null;
  }
}
