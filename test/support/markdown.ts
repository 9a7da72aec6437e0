// Reads the documentation as the doc-tests and the link checker need it: the fenced code blocks of
// a Markdown file with the directive of the HTML comment just before each (`<!-- continues -->`,
// `<!-- not-run: reason -->`), its links, and the anchors GitHub gives its headings.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The pages whose code blocks run and whose links are checked, relative to the repository. */
export function documentationFiles(): string[] {
  const guides = readdirSync(join(repositoryRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...guides];
}

/** The pages whose links are checked (the runnable ones, and the contributors' pages). */
export function linkedFiles(): string[] {
  return [...documentationFiles(), 'CONTRIBUTING.md', 'bench/README.md', 'examples/README.md'];
}

export interface CodeBlock {
  /** The info string's first word, lowercased (`js`, `ts`, `sh`, …; '' without one). */
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  continues: boolean;
  /** The reason given by `<!-- not-run: reason -->`, or null. */
  notRun: string | null;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/;
const DIRECTIVE = /^<!--\s*(continues|not-run:(.*?))\s*-->$/;

/** The fenced code blocks of `text`, each with the directive comment right above it (blank lines between allowed). */
export function codeBlocks(text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  let directive: RegExpExecArray | null = null;
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) {
      const trimmed = lines[i].trim();
      const match = DIRECTIVE.exec(trimmed);
      if (match) directive = match;
      else if (trimmed !== '') directive = null;
      continue;
    }
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = lines[j].trim();
      if (close.startsWith(fence) && close.replace(/[`~]/g, '') === '') break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    blocks.push({
      lang: info.toLowerCase(),
      code: body.join('\n'),
      line: i + 1,
      continues: directive?.[1] === 'continues',
      notRun: directive?.[2] !== undefined ? directive[2].trim() : null,
    });
    directive = null;
    i = j;
  }
  return blocks;
}

export const RUNNABLE = new Set(['js', 'javascript', 'mjs', 'ts', 'typescript']);

/** A runnable example: blocks joined by `<!-- continues -->`, run as one module. */
export interface Chain {
  file: string;
  blocks: CodeBlock[];
  typescript: boolean;
}

/** The runnable chains of a page; throws on a `continues` that has nothing to continue. */
export function chains(file: string, text: string): Chain[] {
  const result: Chain[] = [];
  let previous: Chain | null = null;
  for (const block of codeBlocks(text)) {
    if (!RUNNABLE.has(block.lang)) continue;
    const typescript = block.lang === 'ts' || block.lang === 'typescript';
    if (block.notRun !== null) {
      if (block.notRun === '') throw new Error(`${file}:${block.line}: not-run needs a reason`);
      if (block.continues) throw new Error(`${file}:${block.line}: a not-run block cannot continue another`);
      previous = null;
      continue;
    }
    if (block.continues) {
      if (previous === null)
        throw new Error(`${file}:${block.line}: 'continues' but no runnable block before it on the page`);
      previous.blocks.push(block);
      previous.typescript ||= typescript;
      continue;
    }
    previous = { file, blocks: [block], typescript };
    result.push(previous);
  }
  return result;
}

/** Strips the code spans and fenced blocks of `text` (replaced by spaces, lines kept). */
function proseOf(text: string): string {
  const lines = text.split('\n');
  let fence: string | null = null;
  return lines
    .map((line) => {
      const open = FENCE.exec(line);
      if (fence !== null) {
        if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = null;
        return '';
      }
      if (open) {
        fence = open[2];
        return '';
      }
      return line.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length));
    })
    .join('\n');
}

export interface Link {
  target: string;
  line: number;
}

/** Inline links and images `[text](target)` and reference definitions `[x]: target`, outside code. */
export function links(text: string): Link[] {
  const found: Link[] = [];
  proseOf(text)
    .split('\n')
    .forEach((line, i) => {
      for (const m of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
        found.push({ target: m[1], line: i + 1 });
      const ref = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(line);
      if (ref) found.push({ target: ref[1], line: i + 1 });
    });
  return found;
}

/** GitHub's anchor of a heading: lowercased, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/<[^>]+>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a page offers: its headings' slugs (repeats numbered -1, -2 …) and explicit `<a id>`s. */
export function anchors(text: string): Set<string> {
  const result = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const open = FENCE.exec(line);
    if (fence !== null) {
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = null;
      continue;
    }
    if (open) {
      fence = open[2];
      continue;
    }
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      result.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) result.add(m[1]);
  }
  return result;
}

export function readPage(path: string): string {
  return readFileSync(join(repositoryRoot, path), 'utf8');
}
