// Where a report or a state goes: standard output, or a file written atomically — into a temporary
// file beside it (same directory, so the same file system), renamed over the file only once the
// whole text is written and flushed. An interrupted or failed run leaves the file as it was (at
// worst a hidden temporary file named after it), never half a report.
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface Output {
  write(text: string): Promise<void>;
  /** Everything written is in place (the file renamed). */
  commit(): Promise<void>;
  /** Nothing is left of what was written (the temporary file removed). */
  abort(): Promise<void>;
}

/** Text is handed on in blocks of about this many characters. */
const BLOCK = 1 << 16;

/**
 * Standard output, or `path` when given: atomically when it is a regular file or does not exist;
 * written in place when it is something else (/dev/null, a FIFO), which a rename would replace.
 */
export async function openOutput(path: string | null): Promise<Output> {
  if (path === null) return standardOutput();
  const existing = await stat(path).catch(() => null);
  return existing === null || existing.isFile() ? atomicFile(path) : inPlace(path);
}

function buffered(flush: (text: string) => Promise<void>): {
  write(text: string): Promise<void>;
  end(): Promise<void>;
} {
  let pending: string[] = [];
  let size = 0;
  return {
    async write(text) {
      pending.push(text);
      size += text.length;
      if (size < BLOCK) return;
      const block = pending.join('');
      pending = [];
      size = 0;
      await flush(block);
    },
    async end() {
      if (size === 0) return;
      const block = pending.join('');
      pending = [];
      size = 0;
      await flush(block);
    },
  };
}

function standardOutput(): Output {
  const out = buffered(
    (text) =>
      new Promise((done, fail) => {
        // Waits for the block to be handed to the system: a slow reader slows the report, not memory.
        process.stdout.write(text, (error) => (error ? fail(error) : done()));
      }),
  );
  return { write: out.write, commit: out.end, abort: async () => {} };
}

async function inPlace(path: string): Promise<Output> {
  const handle = await open(path, 'w');
  const out = buffered(async (text) => {
    await handle.write(text);
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    write: out.write,
    async commit() {
      await out.end();
      await close();
    },
    abort: () => close().catch(() => {}),
  };
}

async function atomicFile(path: string): Promise<Output> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle: FileHandle = await open(temporary, 'wx');
  let closed = false;
  const out = buffered(async (text) => {
    await handle.write(text);
  });
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    write: out.write,
    async commit() {
      await out.end();
      await handle.sync();
      await close();
      await rename(temporary, path);
    },
    async abort() {
      await close().catch(() => {});
      await unlink(temporary).catch(() => {});
    },
  };
}
