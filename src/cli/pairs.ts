// What `eval` compares: two files, or the files of two directories paired by name. Nothing
// outside the two directories is read through them: a symbolic link in a directory is followed
// only to a regular file inside PRED or TRUTH; a link out of them, a loop or a dangling link, and
// anything that is not a regular file, is refused with a message (an error of its pair).
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { isKnownFormat } from './formats/index.js';
import { UsageError } from './eval-options.js';

/** One case; a side is null when the other directory has no file of that name. */
export interface Pair {
  name: string;
  pred: string | null;
  truth: string | null;
  /** Why a side of this pair is not read (a link out of the directories, a loop, a special file). */
  refused?: string;
}

export interface Pairs {
  pairs: Pair[];
  /** True when PRED and TRUTH are directories. */
  directories: boolean;
  /** Files left out because their type is unknown (no raw format given). */
  skipped: string[];
}

/** A path that does not exist (exit 1: nothing to read, as for a missing file). */
export class MissingPath extends Error {}

/**
 * Two directories give one pair per file name found in either (not hidden, sorted; files of
 * unknown type are skipped unless raw binary is described); anything else is one pair of files
 * named after PRED.
 */
export async function findPairs(pred: string, truth: string, acceptAny: boolean): Promise<Pairs> {
  const [predStat, truthStat] = await Promise.all([statOrNull(pred), statOrNull(truth)]);
  const predIsDir = predStat?.isDirectory() ?? false,
    truthIsDir = truthStat?.isDirectory() ?? false;
  if (predStat === null && truthIsDir)
    throw new MissingPath(`PRED ${pred} does not exist (TRUTH ${truth} is a directory)`);
  if (truthStat === null && predIsDir)
    throw new MissingPath(`TRUTH ${truth} does not exist (PRED ${pred} is a directory)`);
  if (predIsDir !== truthIsDir && predStat !== null && truthStat !== null) {
    throw new UsageError(
      `PRED and TRUTH must both be files or both be directories; ${predIsDir ? pred : truth} is a ` +
        `directory and ${predIsDir ? truth : pred} is not`,
    );
  }
  if (!predIsDir || !truthIsDir) {
    const name = pred.split(/[\\/]/).pop() ?? pred;
    return { pairs: [{ name, pred, truth }], directories: false, skipped: [] };
  }
  const roots = await Promise.all([realpath(pred), realpath(truth)]);
  const [predFiles, truthFiles] = await Promise.all([listFiles(pred, roots), listFiles(truth, roots)]);
  const names = [...new Set([...predFiles.keys(), ...truthFiles.keys()])].sort();
  const skipped = acceptAny ? [] : names.filter((name) => !isKnownFormat(name));
  const pairs = names
    .filter((name) => acceptAny || isKnownFormat(name))
    .map((name): Pair => {
      const p = predFiles.get(name),
        t = truthFiles.get(name);
      const refused = [p, t].filter((side) => side?.refused !== undefined).map((side) => side?.refused);
      return {
        name,
        pred: p === undefined ? null : join(pred, name),
        truth: t === undefined ? null : join(truth, name),
        ...(refused.length > 0 ? { refused: refused.join('; ') } : {}),
      };
    });
  return { pairs, directories: true, skipped };
}

async function statOrNull(path: string) {
  return stat(path).then(
    (s) => s,
    () => null,
  );
}

/** An entry of a directory that is a case: a regular file, or why it is refused. */
interface Entry {
  refused?: string;
}

/** The entries of `dir` that stand for cases, by name: not hidden, not directories. */
async function listFiles(dir: string, roots: readonly string[]): Promise<Map<string, Entry>> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = new Map<string, Entry>();
  // Regular files (nearly all entries) are taken as they are; only the others wait for a check.
  const others: Dirent[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') || e.isDirectory()) continue;
    if (e.isFile()) files.set(e.name, REGULAR);
    else others.push(e);
  }
  for (const e of others) {
    const entry = await checkEntry(dir, e, roots);
    if (entry !== null) files.set(e.name, entry);
  }
  return files;
}

const REGULAR: Entry = Object.freeze({});

/** A regular file; a link followed to one inside the directories; null for a directory (by link too); else refused. */
async function checkEntry(dir: string, e: Dirent, roots: readonly string[]): Promise<Entry | null> {
  const path = join(dir, e.name);
  if (e.isFile()) return {};
  if (!e.isSymbolicLink()) return { refused: `${path} is not a regular file (${special(e)})` };
  let target: string;
  try {
    target = await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      refused:
        code === 'ELOOP'
          ? `${path} is a symbolic link loop: not followed`
          : `${path} is a symbolic link to nothing (${code ?? 'unreadable'}): not followed`,
    };
  }
  if (!roots.some((root) => inside(target, root))) {
    return { refused: `${path} is a symbolic link to ${target}, outside ${roots.join(' and ')}: not followed` };
  }
  const s = await statOrNull(target);
  if (s?.isDirectory()) return null;
  if (s === null || !s.isFile()) return { refused: `${path} is a symbolic link to ${target}, not a regular file` };
  return {};
}

function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function special(e: Dirent): string {
  if (e.isFIFO()) return 'a FIFO';
  if (e.isSocket()) return 'a socket';
  if (e.isCharacterDevice()) return 'a character device';
  if (e.isBlockDevice()) return 'a block device';
  return 'of an unknown kind';
}
