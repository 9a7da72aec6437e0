// What `eval` compares: two files, or the files of two directories paired by name.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isKnownFormat } from './formats/index.js';
import { UsageError } from './eval-options.js';

/** One case; a side is null when the other directory has no file of that name. */
export interface Pair {
  name: string;
  pred: string | null;
  truth: string | null;
}

export interface Pairs {
  pairs: Pair[];
  /** True when PRED and TRUTH are directories. */
  directories: boolean;
  /** Files left out because their type is unknown (no raw format given). */
  skipped: string[];
}

/**
 * Two directories give one pair per file name found in either (files only, not hidden, sorted;
 * files of unknown type are skipped unless raw binary is described); anything else is one pair
 * of files named after PRED.
 */
export async function findPairs(pred: string, truth: string, acceptAny: boolean): Promise<Pairs> {
  const [predIsDir, truthIsDir] = await Promise.all([isDirectory(pred), isDirectory(truth)]);
  if (predIsDir !== truthIsDir && (await exists(predIsDir ? truth : pred))) {
    throw new UsageError(
      `PRED and TRUTH must both be files or both be directories; ${predIsDir ? pred : truth} is a ` +
        `directory and ${predIsDir ? truth : pred} is not`,
    );
  }
  if (!predIsDir || !truthIsDir) {
    const name = pred.split(/[\\/]/).pop() ?? pred;
    return { pairs: [{ name, pred, truth }], directories: false, skipped: [] };
  }
  const [predFiles, truthFiles] = await Promise.all([listFiles(pred), listFiles(truth)]);
  const names = [...new Set([...predFiles, ...truthFiles])].sort();
  const skipped = acceptAny ? [] : names.filter((name) => !isKnownFormat(name));
  const pairs = names
    .filter((name) => acceptAny || isKnownFormat(name))
    .map((name) => ({
      name,
      pred: predFiles.has(name) ? join(pred, name) : null,
      truth: truthFiles.has(name) ? join(truth, name) : null,
    }));
  return { pairs, directories: true, skipped };
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function listFiles(dir: string): Promise<Set<string>> {
  const entries = await readdir(dir, { withFileTypes: true });
  return new Set(entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name));
}
