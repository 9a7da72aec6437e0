// The layers of src/ and the one direction their imports go (`npm run check:layers`, part of
// `npm test`). Type-only imports count as much as value imports.
//
//   core ← math, runtime ← backends ← losses, metrics ← kernel.ts ← load.ts ← pool, compat, tfjs, cli ← index.ts
//
// core/      errors, option readers and value lists, public types, the kernels' constants, tensor
//            and plan types, array checks: imports nothing outside core/ (no package, no node:)
// math/      pure scalar formulas                     runtime/  WebAssembly memory and binaries
// backends/  the engines (WebAssembly, TypeScript)    losses/, metrics/  options, plans, formulas
// kernel.ts  DiceKernel                                load.ts   the composition root (loadDice)
// pool/, compat/, tfjs/, cli/: the entry points' own code, each apart from the others.
// A layer may import any layer below it, never one above; pool/, compat/, tfjs/ and cli/ import
// none of each other; nothing but index.ts imports index.ts; and no import circles at all.

/**
 * A rule forbidding imports from `from` into anything but `allowed` (path patterns under src/).
 * Unresolved imports are left to tsc: the modules the build generates (*.generated.ts) exist only after it.
 */
const layer = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { pathNot: `^src/(${allowed.join('|')})`, couldNotResolve: false },
});

const BELOW_BACKENDS = ['core/', 'math/', 'runtime/'];
const BELOW_KERNEL = [...BELOW_BACKENDS, 'backends/', 'losses/', 'metrics/'];

module.exports = {
  forbidden: [
    layer('core-imports-only-core', '^src/core/', ['core/'], 'core/ is the bottom layer: it imports nothing else.'),
    layer('math-imports-only-core', '^src/math/', ['core/', 'math/'], 'math/ holds pure formulas over numbers.'),
    layer(
      'runtime-below-backends',
      '^src/runtime/',
      ['core/', 'runtime/'],
      'runtime/ knows no engine, loss or metric.',
    ),
    layer(
      'backends-below-losses-and-metrics',
      '^src/backends/',
      [...BELOW_BACKENDS, 'backends/'],
      'An engine runs plans; it knows no option, loss or metric.',
    ),
    layer(
      'losses-beside-metrics',
      '^src/losses/',
      [...BELOW_BACKENDS, 'backends/', 'losses/'],
      'losses/ uses the layers below it, not metrics/ nor anything above.',
    ),
    layer(
      'metrics-beside-losses',
      '^src/metrics/',
      [...BELOW_BACKENDS, 'backends/', 'metrics/'],
      'metrics/ uses the layers below it, not losses/ nor anything above.',
    ),
    layer(
      'kernel-below-load',
      '^src/kernel\\.ts$',
      [...BELOW_KERNEL, 'kernel\\.ts$'],
      'DiceKernel is built from the layers below; loading builds DiceKernel.',
    ),
    layer(
      'load-below-entry-points',
      '^src/load\\.ts$',
      [...BELOW_KERNEL, 'kernel\\.ts$', 'load\\.ts$'],
      'load.ts, the composition root, is below every entry point.',
    ),
    {
      name: 'entry-points-apart',
      comment: 'pool/, compat/, tfjs/ and cli/ each stand on the layers below, not on each other or on index.ts.',
      severity: 'error',
      from: { path: '^src/(pool|compat|tfjs|cli)/' },
      to: { path: '^src/(pool/|compat/|tfjs/|cli/|index\\.ts$)', pathNot: '^src/$1/' },
    },
    {
      name: 'src-stands-alone',
      comment: 'src/ does not import tests, benchmarks or scripts.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts|demo)/' },
    },
    {
      name: 'no-circular',
      comment: 'No import circle, of values or of types, between files (and so between folders).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
