// The native references of the ceiling benchmark (bench/native/*.c): compiled with the system's
// C compiler when there is one, and run as child processes that answer timing requests on stdin
// (bench/native/driver.c), so that dice-wasm and C alternate within one run.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The C flags of the issue that set the ceiling: gcc -O3 -ffast-math -fopenmp-simd, one thread. */
const COMMON_FLAGS = ['-O3', '-ffast-math', '-fopenmp-simd'];

/** C files of bench/native that are programs of other benchmarks, with a `main` of their own. */
const OTHER_PROGRAMS = ['components.c'];

export interface NativeBuild {
  /** `C-128` (SSE4.1, no AVX: WebAssembly's vector width) or `C-native` (-march=native). */
  id: 'C-128' | 'C-native';
  flags: string[];
}

export const NATIVE_BUILDS: readonly NativeBuild[] = [
  { id: 'C-128', flags: [...COMMON_FLAGS, '-msse4.1', '-mno-avx'] },
  { id: 'C-native', flags: [...COMMON_FLAGS, '-march=native'] },
];

export interface Compiler {
  command: string;
  version: string;
}

/** The C compiler (`$CC`, else `cc`), or null when none runs. */
export function findCompiler(): Compiler | null {
  const command = process.env.CC || 'cc';
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return null;
  return { command, version: probe.stdout.split('\n')[0].trim() };
}

/** Compiles the references with each build's flags into `outDir`; returns the executables by build id. */
export function compileNative(compiler: Compiler, sourceDir: string, outDir: string): Map<NativeBuild['id'], string> {
  mkdirSync(outDir, { recursive: true });
  // components.c is the connected-components benchmark's own program (bench/components.bench.ts).
  const sources = readdirSync(sourceDir)
    .filter((f) => f.endsWith('.c') && !OTHER_PROGRAMS.includes(f))
    .map((f) => join(sourceDir, f));
  const executables = new Map<NativeBuild['id'], string>();
  for (const build of NATIVE_BUILDS) {
    const exe = join(outDir, `ceiling-${build.id === 'C-128' ? '128' : 'native'}`);
    const result = spawnSync(compiler.command, [...build.flags, '-o', exe, ...sources, '-lm'], { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`bench: ${compiler.command} failed to compile bench/native for ${build.id}:\n${result.stderr}`);
    }
    executables.set(build.id, exe);
  }
  return executables;
}

/** One running reference: `time(case, n, calls)` resolves to ms per call and the loss of the last call. */
export class NativeProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<(line: string) => void> = [];

  constructor(executable: string) {
    this.child = spawn(executable, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.(line));
  }

  time(caseId: string, n: number, calls: number): Promise<{ ms: number; loss: number }> {
    return new Promise((resolve, reject) => {
      this.waiting.push((line) => {
        const [ms, loss] = line.split(' ');
        if (ms === 'error') reject(new Error(`bench: the native reference says: ${line}`));
        else resolve({ ms: Number(ms), loss: Number(loss) });
      });
      this.child.stdin.write(`${caseId} ${n} ${calls}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}
