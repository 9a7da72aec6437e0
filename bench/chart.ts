// Draws the chart of a Dice benchmark result: node build/bench/bench/chart.js [RESULT.json]
// (default bench/results/latest.json) writes the SVG beside it (latest.json → latest.svg).
// `npm run bench` (dice-wasm bench) runs it after a complete run.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { throughputChart, type ChartInput } from './lib/chart.js';
import { packageRoot } from './lib/machine.js';

const input = process.argv[2] ?? join(packageRoot(), 'bench', 'results', 'latest.json');
const output = input.replace(/\.json$/, '.svg');
writeFileSync(output, throughputChart(JSON.parse(readFileSync(input, 'utf8')) as ChartInput));
console.log(`chart: ${output}`);
