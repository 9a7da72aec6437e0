// Runs `dice-wasm` (dist/cli/main.js) in this process and, when the process exits, writes its peak
// resident memory to stderr as `[probe] maxRSS <KiB>`: the parent sees a child's memory without a
// platform tool. Usage: node [--max-old-space-size=N] cli-probe.mjs <args of dice-wasm>.
import { writeSync } from 'node:fs';

const main = new URL('../../dist/cli/main.js', import.meta.url);
process.argv = [process.argv[0], main.pathname, ...process.argv.slice(2)];
process.on('exit', () => writeSync(2, `\n[probe] maxRSS ${process.resourceUsage().maxRSS}\n`));
await import(main.href);
