// Prints the runtime matrix as a runtime × check table (Markdown) from the tests' own results —
// pass, FAIL (skip: left out by a filter such as -t), or — where the runtime has no such check —
// and writes it as JSON to test/artifacts/runtimes.json. A row's runtime is its describe block, a
// column the start of a test's name (columns.ts); the version is what the runtime's 'starts' check
// reported.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { repositoryRoot } from '../support/packed.js';
import { COLUMNS, type Column, columnOf } from './columns.js';

type Cell = 'pass' | 'FAIL' | 'skip' | '—';

export interface RuntimeRow {
  runtime: string;
  version: string;
  checks: Partial<Record<Column, Cell>>;
}

export const RESULTS_PATH = join(repositoryRoot, 'test/artifacts/runtimes.json');

export function markdownTable(rows: RuntimeRow[]): string {
  const header = ['runtime', 'version', ...COLUMNS.map(([column]) => column)];
  const lines = rows.map((row) => [row.runtime, row.version, ...COLUMNS.map(([column]) => row.checks[column] ?? '—')]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const format = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [format(header), format(widths.map((width) => '-'.repeat(width))), ...lines.map(format)].join('\n');
}

export default class TableReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows = new Map<string, RuntimeRow>();
    let passed = 0;
    let failed = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const runtime = test.parent.type === 'suite' ? test.parent.name : '?';
        const row = rows.get(runtime) ?? { runtime, version: '?', checks: {} };
        rows.set(runtime, row);
        const column = columnOf(test.name);
        const state = test.result().state;
        const cell: Cell = state === 'passed' ? 'pass' : state === 'failed' ? 'FAIL' : 'skip';
        if (cell === 'pass') passed++;
        if (cell === 'FAIL') failed++;
        if (column) row.checks[column] = cell;
        const version = test.meta().runtimeVersion;
        if (version) row.version = version;
      }
    }
    const table = [...rows.values()];
    mkdirSync(dirname(RESULTS_PATH), { recursive: true });
    writeFileSync(
      RESULTS_PATH,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          loadavg: loadavg(),
          columns: Object.fromEntries(COLUMNS),
          rows: table,
          passed,
          failed,
        },
        null,
        2,
      )}\n`,
    );
    process.stdout.write(
      `\nThe packed dice-wasm in each runtime (— : no such check there); JSON: ${RESULTS_PATH}\n\n` +
        `${markdownTable(table)}\n\n` +
        `runtimes: ${passed} passed, ${failed} failed\n`,
    );
  }
}
