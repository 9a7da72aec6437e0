// No dead relative link: every link of the documentation pages to a file of the repository points
// at one that exists, and every anchor (#section, page.md#section) at a heading of its page.
// External links (http:, https:, mailto:) are not fetched: the tests need no network.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, links, linkedFiles, readPage, repositoryRoot, slug } from '../support/markdown.js';

function deadLinks(file: string): string[] {
  const dead: string[] = [];
  for (const { target, line } of links(readPage(file))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [path, anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved =
      path === '' ? file : relative(repositoryRoot, normalize(join(repositoryRoot, dirname(file), decodeURI(path))));
    const where = `${file}:${line} → ${target}`;
    if (resolved.startsWith('..') || !existsSync(join(repositoryRoot, resolved))) {
      dead.push(`${where}: no file ${resolved}`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!resolved.endsWith('.md') || statSync(join(repositoryRoot, resolved)).isDirectory()) {
      dead.push(`${where}: an anchor into a file that is not a Markdown page`);
      continue;
    }
    if (!anchors(readPage(resolved)).has(decodeURIComponent(anchor)))
      dead.push(`${where}: no heading #${anchor} in ${resolved}`);
  }
  return dead;
}

describe('links between the documentation pages', () => {
  it.each(linkedFiles())('%s has no dead relative link or anchor', (file) => {
    expect(deadLinks(file)).toEqual([]);
  });

  it('keeps README.md a landing page that links every guide', () => {
    const readme = readPage('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    const targets = new Set(links(readme).map((l) => l.target.split('#')[0]));
    for (const guide of linkedFiles().filter((f) => f.startsWith('docs/')))
      expect(targets.has(guide), `README.md links ${guide}`).toBe(true);
  });

  it('gives headings GitHub anchors', () => {
    expect(slug('TensorFlow.js: `dice-wasm/tfjs`')).toBe('tensorflowjs-dice-wasmtfjs');
    expect(slug('How it is computed, and its cost')).toBe('how-it-is-computed-and-its-cost');
    expect(slug('Metrics, Speed')).toBe('metrics-speed');
    const page = '# A\n## Speed\n```sh\n# not a heading\n```\n## Speed\n';
    expect([...anchors(page)]).toEqual(['a', 'speed', 'speed-1']);
  });

  it('finds links outside code only', () => {
    const page = 'See [a](docs/a.md#x) and `[b](nope.md)`.\n```md\n[c](nope.md)\n```\n![chart](bench/x.svg)\n';
    expect(links(page).map((l) => l.target)).toEqual(['docs/a.md#x', 'bench/x.svg']);
  });
});
