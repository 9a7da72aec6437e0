// The records of a run kept on disk until every case is counted (the report's columns are known
// only then): one JSON line per case in a private temporary directory, appended as the cases are
// counted and read back, in order, once per pass of the report. Memory holds a block of lines at a
// time, whatever the number of cases.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { type CaseRecord, encodeRecord, readRecord } from './records.js';
import type { RecordSource } from './report.js';

/** Lines are written in blocks of about this many characters. */
const BLOCK = 1 << 16;

export class Spill {
  private readonly directory: string;
  private readonly path: string;
  private fd: number | null;
  private pending: string[] = [];
  private size = 0;

  constructor(private readonly measured: readonly string[]) {
    this.directory = mkdtempSync(join(tmpdir(), 'dice-wasm-eval-'));
    this.path = join(this.directory, 'records.jsonl');
    this.fd = openSync(this.path, 'wx', 0o600);
  }

  /** Appends a record; `line` is its encodeRecord(…), when the caller has it already. */
  append(record: CaseRecord, line = encodeRecord(record)): void {
    this.pending.push(line, '\n');
    this.size += line.length + 1;
    if (this.size >= BLOCK) this.flush();
  }

  /** The records appended, in order (after the last append). */
  source(): RecordSource {
    this.flush();
    const { path, measured } = this;
    return async function* () {
      let n = 0;
      for await (const line of lines(path)) yield readRecord(JSON.parse(line), `record ${n++}`, measured);
    };
  }

  remove(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.directory, { recursive: true, force: true });
  }

  private flush(): void {
    if (this.size === 0 || this.fd === null) return;
    const text = this.pending.join('');
    this.pending = [];
    this.size = 0;
    writeSync(this.fd, text);
  }
}

/** The lines of a file, read a block at a time (a line is whole in memory, the file never is). */
async function* lines(path: string): AsyncGenerator<string> {
  const handle = await open(path, 'r');
  try {
    const block = Buffer.alloc(BLOCK);
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for (;;) {
      const { bytesRead } = await handle.read(block, 0, BLOCK, null);
      if (bytesRead === 0) break;
      const text = rest + decoder.write(block.subarray(0, bytesRead));
      const parts = text.split('\n');
      rest = parts.pop() as string;
      yield* parts;
    }
    rest += decoder.end();
    if (rest !== '') yield rest;
  } finally {
    await handle.close();
  }
}
