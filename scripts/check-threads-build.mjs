// Checks that the shared-memory variants the package derives at load time
// (src/runtime/shared-memory.ts: the memory section turned into an import of a shared memory)
// are byte for byte what AssemblyScript writes for a threaded build:
//   asc --enable threads --importMemory --sharedMemory --zeroFilledMemory --maximumMemory 65536
// on top of each target of asconfig.json. Run after `npm run build` (it reads build/ and dist/);
// takes about a minute (two more asc builds). Exits 1 when a variant differs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { importSharedMemory } from '../dist/runtime/shared-memory.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
const THREADS = [
  '--enable',
  'threads',
  '--importMemory',
  '--sharedMemory',
  '--zeroFilledMemory',
  '--maximumMemory',
  '65536',
];

let failed = false;
for (const target of ['simd', 'scalar']) {
  const outFile = `build/dice.${target}.threads.wasm`;
  execFileSync(
    process.execPath,
    [
      asc,
      '--config',
      'asconfig.json',
      '--target',
      target,
      ...THREADS,
      '--outFile',
      outFile,
      '--textFile',
      `build/dice.${target}.threads.wat`,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  const built = readFileSync(new URL(`../${outFile}`, import.meta.url));
  const derived = importSharedMemory(readFileSync(new URL(`../build/dice.${target}.wasm`, import.meta.url))).bytes;
  const same = Buffer.compare(built, Buffer.from(derived)) === 0;
  console.log(
    `${target}: asc threaded build ${built.length} bytes, derived ${derived.length} bytes: ` +
      `${same ? 'identical' : 'DIFFERENT'}`,
  );
  failed ||= !same;
}
if (failed) process.exitCode = 1;
