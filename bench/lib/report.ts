// The results: what is recorded per (case, size), the text tables, and the JSON file.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Implementation, ImplementationId } from './contenders.js';

/** One implementation at one (case, size). */
export interface ImplementationResult {
  medianMs: number;
  q1Ms: number;
  q3Ms: number;
  minMs: number;
  /** Timed calls (one per round). */
  samples: number;
  /** median of the JS backend / median of this implementation. */
  speedupVsJsBackend: number;
  loss: number;
  /** |loss − loss of the JS backend| / |loss of the JS backend|. */
  lossRelErrVsJsBackend: number;
  /** max |grad − grad of the JS backend| / max |grad of the JS backend|. */
  gradRelErrVsJsBackend: number;
}

export interface SizeResult {
  n: number;
  /** Short label of n: 4K, 64K, 1M, 16M. */
  label: string;
  shape: number[];
  results: Partial<Record<ImplementationId, ImplementationResult>>;
  /** median of TF.js / median of WASM zero-copy. */
  wasmZeroCopyVsTfjs: number;
}

export interface CaseResult {
  id: string;
  description: string;
  sizes: SizeResult[];
}

/** 'n = 4096' → '4K'. */
export function sizeLabel(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)}M`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)}K`;
  return String(n);
}

/** Three significant digits in µs, ms or s. */
export function formatTime(ms: number): string {
  const units: Array<[string, number]> = [
    ['µs', 1e-3],
    ['ms', 1],
    ['s', 1e3],
  ];
  for (let u = 0; u < units.length; u++) {
    const value = Number((ms / units[u][1]).toPrecision(3));
    if (value < 1000 || u === units.length - 1) return `${value.toPrecision(3)} ${units[u][0]}`;
  }
  return `${ms} ms`;
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  return `${ratio.toFixed(ratio < 10 ? 2 : ratio < 100 ? 1 : 0)}×`;
}

function formatError(relErr: number): string {
  return relErr === 0 ? '0' : relErr.toExponential(1);
}

/** The tables of one case: median time and speed-up per implementation and size, then agreement. */
export function caseTable(result: CaseResult, implementations: readonly Implementation[]): string {
  const wasm = implementations.find((i) => i.id === 'wasmZeroCopy')?.label ?? 'WASM zero-copy';
  const labels = [...implementations.map((i) => i.label), `${wasm} vs TF.js`, 'samples per implementation'];
  const labelWidth = Math.max(...labels.map((l) => l.length)) + 2;
  const cellWidth = 22;
  const row = (label: string, cells: string[]) =>
    label.padEnd(labelWidth) +
    cells
      .map((c) => c.padEnd(cellWidth))
      .join('')
      .trimEnd();
  const sizes = result.sizes;
  const header = row(
    '',
    sizes.map((s) => `n = ${s.label}`),
  );
  const lines: string[] = [];
  lines.push(`${result.id}: ${result.description}`);
  lines.push('');
  lines.push('Median time per call, and speed-up vs the JS backend (its median / this median):');
  lines.push(header);
  for (const impl of implementations) {
    lines.push(
      row(
        impl.label,
        sizes.map((s) => {
          const r = s.results[impl.id];
          return r ? `${formatTime(r.medianMs).padStart(9)}  ${formatRatio(r.speedupVsJsBackend).padStart(6)}` : '—';
        }),
      ),
    );
  }
  lines.push(
    row(
      `${wasm} vs TF.js`,
      sizes.map((s) => `${''.padStart(9)}  ${formatRatio(s.wasmZeroCopyVsTfjs).padStart(6)}`),
    ),
  );
  lines.push(
    row(
      'samples per implementation',
      sizes.map((s) => String(Math.min(...Object.values(s.results).map((r) => r.samples)))),
    ),
  );
  lines.push('');
  lines.push('Relative difference from the JS backend: loss, gradient (max |Δgrad| / max |grad|):');
  lines.push(header);
  for (const impl of implementations) {
    if (impl.id === 'jsBackend') continue;
    lines.push(
      row(
        impl.label,
        sizes.map((s) => {
          const r = s.results[impl.id];
          return r ? `${formatError(r.lossRelErrVsJsBackend)}, ${formatError(r.gradRelErrVsJsBackend)}` : '—';
        }),
      ),
    );
  }
  return lines.join('\n');
}

/** Writes `data` as JSON to `path` through a temporary file, so a reader never sees half a file. */
export function writeJson(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path.replace(/\.json$/, '')}.tmp.json`; // *.tmp.json is git-ignored
  writeFileSync(temporary, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(temporary, path);
}

/**
 * A table of implementations (rows) by sizes (columns) under `title`, each cell given by `cell`,
 * then the fewest samples any implementation of a size had.
 */
export function sizesTable<Size extends { label: string }>(
  title: string,
  sizes: readonly Size[],
  header: (size: Size) => string,
  implementations: readonly { id: string; label: string }[],
  cell: (size: Size, id: string) => string,
  samples: (size: Size) => number,
  cellWidth: number,
): string {
  const samplesLabel = 'samples per implementation';
  const labelWidth = Math.max(samplesLabel.length, ...implementations.map((i) => i.label.length)) + 2;
  const row = (label: string, cells: string[]) =>
    label.padEnd(labelWidth) +
    cells
      .map((c) => c.padEnd(cellWidth))
      .join('')
      .trimEnd();
  return [
    title,
    row('', sizes.map(header)),
    ...implementations.map((impl) =>
      row(
        impl.label,
        sizes.map((s) => cell(s, impl.id)),
      ),
    ),
    row(
      samplesLabel,
      sizes.map((s) => String(samples(s))),
    ),
  ].join('\n');
}

const progressStart = performance.now();

/** A line on stderr with the seconds since the benchmark started. */
export function progress(message: string): void {
  console.error(`[${((performance.now() - progressStart) / 1000).toFixed(0).padStart(4)} s] ${message}`);
}
