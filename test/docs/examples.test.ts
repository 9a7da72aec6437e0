// Doc-tests: every js/ts code block of README.md and docs/*.md runs against the built package, as a
// user imports it ('dice-wasm', 'dice-wasm/compat', 'dice-wasm/tfjs' resolve by the package's own
// name through "exports" to dist/). A block headed `<!-- continues -->` runs in the same module as
// the one before it; one headed `<!-- not-run: reason -->` is skipped (and counted: few allowed).
// A line `console.log(…); // → text` checks what it prints: numbers to the digits shown, the rest
// exactly. So a renamed function, a renamed option (unknown options throw) or a changed default
// (a printed value changes) breaks this test, not a reader's first attempt.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertFreshDist } from '../support/fresh-build.js';
import {
  type Chain,
  chains,
  codeBlocks,
  documentationFiles,
  RUNNABLE,
  readPage,
  repositoryRoot,
} from '../support/markdown.js';

// Inside the repository, so that 'dice-wasm' resolves as the package's self-reference (its "exports").
const outDir = join(repositoryRoot, 'build', 'doctest');

/** The most blocks the pages may mark not-run, all pages together. */
const MAX_NOT_RUN = 8;

interface Example {
  chain: Chain;
  id: string;
  module: string;
  /** Line of the module → what that line's console.log must print. */
  expected: Map<number, string>;
}

function moduleOf(chain: Chain): string {
  const parts = chain.blocks.map((b) => `// ${chain.file}:${b.line}\n${b.code}`);
  const source = parts.join('\n');
  if (!chain.typescript) return source;
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, removeComments: false },
  }).outputText;
}

function expectationsOf(module: string): Map<number, string> {
  const expected = new Map<number, string>();
  module.split('\n').forEach((line, i) => {
    const m = /console\.log\(.*\/\/\s*→\s*(.+?)\s*$/.exec(line);
    if (m) expected.set(i + 1, m[1]);
  });
  return expected;
}

/** Numbers match to the digits shown (0.35692084 accepts 0.356920838…), everything else exactly. */
function matches(printed: string, shown: string): boolean {
  const a = printed.trim().split(/\s+/);
  const b = shown.trim().split(/\s+/);
  if (a.length !== b.length) return false;
  return a.every((token, i) => {
    const want = b[i];
    if (token === want) return true;
    const number = /^[-+]?\d+(?:\.(\d+))?(?:e[-+]?\d+)?,?$/i.exec(want);
    if (!number || /e/i.test(want)) return false;
    const digits = number[1]?.length ?? 0;
    const trailing = want.endsWith(',') ? ',' : '';
    if (trailing !== '' && !token.endsWith(',')) return false;
    const got = Number(token.slice(0, token.length - trailing.length));
    return (
      Number.isFinite(got) &&
      got.toFixed(digits) === Number(want.slice(0, want.length - trailing.length)).toFixed(digits)
    );
  });
}

const RUNNER = `
import { writeFileSync } from 'node:fs';
import { format } from 'node:util';
import { pathToFileURL } from 'node:url';
const [list, resultsPath] = process.argv.slice(2);
const results = {};
const log = console.log;
for (const file of JSON.parse(list)) {
  const url = pathToFileURL(file).href;
  const printed = {};
  console.log = (...args) => {
    const frame = (new Error().stack ?? '').split('\\n').find((l) => l.includes(url + ':'));
    const line = frame ? Number(frame.slice(frame.indexOf(url) + url.length + 1).split(':')[0]) : 0;
    (printed[line] ??= []).push(format(...args));
  };
  try {
    await import(url);
    results[file] = { printed };
  } catch (error) {
    results[file] = { printed, error: String(error?.stack ?? error) };
  } finally {
    console.log = log;
  }
}
writeFileSync(resultsPath, JSON.stringify(results));
`;

const examples: Example[] = [];
let notRun = 0;
for (const file of documentationFiles()) {
  const text = readPage(file);
  notRun += codeBlocks(text).filter((b) => RUNNABLE.has(b.lang) && b.notRun !== null).length;
  for (const chain of chains(file, text)) {
    const id = `${file.replace(/[/.]/g, '_')}-${chain.blocks[0].line}`;
    const module = moduleOf(chain);
    examples.push({ chain, id, module, expected: expectationsOf(module) });
  }
}

let results: Record<string, { printed: Record<string, string[]>; error?: string }> = {};
const pathOf = (e: Example) => join(outDir, `${e.id}.mjs`);

beforeAll(() => {
  assertFreshDist();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const e of examples) writeFileSync(pathOf(e), e.module);
  writeFileSync(join(outDir, 'runner.mjs'), RUNNER);
  const resultsPath = join(outDir, 'results.json');
  execFileSync(process.execPath, [join(outDir, 'runner.mjs'), JSON.stringify(examples.map(pathOf)), resultsPath], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 600_000,
  });
  results = JSON.parse(readFileSync(resultsPath, 'utf8'));
}, 660_000);

describe('documentation examples run against the built package', () => {
  it('has examples on every page, and few blocks marked not-run', () => {
    expect(examples.length).toBeGreaterThan(10);
    for (const file of documentationFiles()) {
      const hasCode = codeBlocks(readPage(file)).some((b) => RUNNABLE.has(b.lang));
      if (hasCode)
        expect(
          examples.some((e) => e.chain.file === file),
          `${file} has no runnable example`,
        ).toBe(true);
    }
    expect(notRun).toBeLessThanOrEqual(MAX_NOT_RUN);
  });

  it.each(examples.map((e) => [`${e.chain.file}:${e.chain.blocks.map((b) => b.line).join('+')}`, e] as const))(
    '%s',
    (_, e) => {
      const result = results[pathOf(e)];
      expect(result, 'the runner did not reach this example').toBeDefined();
      expect(result.error ?? null, `${e.chain.file}:${e.chain.blocks[0].line} threw`).toBeNull();
      for (const [line, shown] of e.expected) {
        const printed = result.printed[String(line)];
        expect(printed, `line ${line} (${shown}) printed nothing`).toBeDefined();
        expect(matches(printed[0], shown), `line ${line}: printed ${printed[0]}, the page shows ${shown}`).toBe(true);
      }
    },
  );
});

describe('the doc-test machinery', () => {
  it('joins continued blocks, skips not-run ones, refuses a dangling continues', () => {
    const page = [
      '```js',
      'const a = 1;',
      '```',
      '<!-- continues -->',
      '',
      '```js',
      'console.log(a); // → 1',
      '```',
      '<!-- not-run: needs a browser -->',
      '```js',
      'document.body;',
      '```',
      '```sh',
      'npm test',
      '```',
      '```ts',
      'const b: number = 2;',
      '```',
    ].join('\n');
    const found = chains('page.md', page);
    expect(found.map((c) => c.blocks.map((b) => b.line))).toEqual([[1, 6], [16]]);
    expect(found[1].typescript).toBe(true);
    expect(() => chains('x.md', '<!-- continues -->\n```js\nx\n```')).toThrow(/continues/);
    expect(() => chains('x.md', '<!-- not-run: -->\n```js\nx\n```')).toThrow(/reason/);
  });

  it('compares printed numbers to the digits shown', () => {
    expect(matches('0.3569208383560181', '0.35692084')).toBe(true);
    expect(matches('0.3569208383560181', '0.35692085')).toBe(false);
    expect(matches('dice 0.8333333333333334', 'dice 0.8333')).toBe(true);
    expect(matches('simd', 'scalar')).toBe(false);
    expect(matches('1 2', '1')).toBe(false);
  });

  it('finds the expectations of console.log lines', () => {
    expect([...expectationsOf('x;\nconsole.log(k.backend); // → simd\n').entries()]).toEqual([[2, 'simd']]);
  });
});
