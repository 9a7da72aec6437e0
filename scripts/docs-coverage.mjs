#!/usr/bin/env node
// Nothing lost when documentation moves: every paragraph, list item, table row and code line of an
// old README (`git show REV:README.md`, default the commit before docs/ existed) must appear in the
// documentation now (README.md, docs/*.md, CONTRIBUTING.md, bench/README.md), compared after
// normalising what a move may change: line breaks and spacing, link targets ([text](x) → text),
// heading levels, list markers. Prints what it cannot find; exit status 1 if anything is missing.
//
//   node scripts/docs-coverage.mjs [REV] [--code]   (--code: also code lines, which examples rewrite)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const rev = args.find((a) => !a.startsWith('--')) ?? '8052523';
const withCode = args.includes('--code');
const old = execFileSync('git', ['show', `${rev}:README.md`], { encoding: 'utf8' });
const pages = [
  'README.md',
  'CONTRIBUTING.md',
  'bench/README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

const normalise = (s) =>
  s
    .replace(/!?\[([^\][]*)\]\([^)\s]*\)/g, '$1')
    .replace(/^\s*(#+|>|[-*]|\d+\.)\s+/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
const current = normalise(pages.map((p) => readFileSync(p, 'utf8')).join('\n\n'));

/** The units of a page: paragraphs, list items and table rows of prose; the lines of code blocks. */
function units(text) {
  const prose = [];
  const code = [];
  let block = [];
  let fence = false;
  const flush = () => {
    if (block.length) prose.push(block.join('\n'));
    block = [];
  };
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      flush();
      fence = !fence;
      continue;
    }
    if (fence) {
      if (line.trim()) code.push(line);
      continue;
    }
    if (!line.trim()) flush();
    else if (/^\s*\|/.test(line)) {
      flush();
      if (!/^\s*\|[-:| ]+\|\s*$/.test(line)) prose.push(line);
    } else if (/^\s*([-*]|\d+\.)\s/.test(line) || /^#/.test(line)) {
      flush();
      block.push(line);
    } else block.push(line);
  }
  flush();
  return { prose, code };
}

// Rewritten on purpose when the README of 8052523 became docs/ (issue 15): headings and table headers
// that became a page's title or a table per library, the option-map rows whose library label moved
// into that library's own table, and two sentences whose links now point into other pages.
const REWRITTEN = [
  '| you wrote | here |',
  '| Python option | native option |',
  'Python-compatible losses: `dice-wasm/compat`',
  '**How each Python option maps to the native one**',
  '| **MONAI** `include_background`',
  '| **smp** `mode:',
  '| **Keras** `axis`',
  'Python: `dice-wasm/compat`',
  "Python: MONAI's surface functions",
  'The suite also times confusion counts',
  'CONTRIBUTING.md has the layer picture',
  '| `npm test` | build, type-check', // now also runs npm run docs
];
const { prose, code } = units(old);
const missing = prose.filter(
  (u) => !current.includes(normalise(u)) && !REWRITTEN.some((r) => normalise(u).startsWith(normalise(r))),
);
const missingCode = withCode ? code.filter((u) => !current.includes(normalise(u))) : [];
for (const u of missing) console.log(`MISSING prose: ${normalise(u).slice(0, 200)}`);
for (const u of missingCode) console.log(`MISSING code: ${u.trim()}`);
console.log(
  `${prose.length - missing.length}/${prose.length} prose units found` +
    (withCode ? `, ${code.length - missingCode.length}/${code.length} code lines` : ''),
);
process.exitCode = missing.length ? 1 : 0;
