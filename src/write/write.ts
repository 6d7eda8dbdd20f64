import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { headerFor, type RenderedFile } from './render.js';

export interface WriteReport {
  readonly written: readonly string[];
  readonly unchanged: readonly string[];
  /** Files obs generated earlier that the config no longer produces. */
  readonly removed: readonly string[];
}

export interface DriftReport {
  readonly stale: readonly string[];
  readonly missing: readonly string[];
  readonly orphaned: readonly string[];
}

/**
 * Writes the bundle under `outDir`: every file is written to a temporary directory first and then
 * renamed into place, so a failure leaves no half-written file. Unchanged files are not touched.
 */
export function writeBundle(outDir: string, files: readonly RenderedFile[], source: string): WriteReport {
  const drift = checkBundle(outDir, files, source);
  const changed = new Set([...drift.stale, ...drift.missing]);
  const tmp = join(outDir, `.obs-tmp-${process.pid}-${Date.now()}`);
  // A bundle has ~100 files in a dozen directories: create each directory once, not once per file.
  const made = new Set<string>();
  const ensureDir = (dir: string) => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  };
  try {
    for (const file of files.filter((f) => changed.has(f.path))) {
      ensureDir(dirname(join(tmp, file.path)));
      writeFileSync(join(tmp, file.path), file.text);
    }
    for (const file of files.filter((f) => changed.has(f.path))) {
      ensureDir(dirname(join(outDir, file.path)));
      renameSync(join(tmp, file.path), join(outDir, file.path));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const path of drift.orphaned) rmSync(join(outDir, path));
  return {
    written: files.filter((f) => changed.has(f.path)).map((f) => f.path),
    unchanged: files.filter((f) => !changed.has(f.path)).map((f) => f.path),
    removed: drift.orphaned,
  };
}

/** Compares the bundle with the disk without writing: the `--check` drift gate. */
export function checkBundle(outDir: string, files: readonly RenderedFile[], source: string): DriftReport {
  const stale: string[] = [];
  const missing: string[] = [];
  for (const file of files) {
    const path = join(outDir, file.path);
    if (!existsSync(path)) missing.push(file.path);
    else if (readWithPath(path) !== file.text) stale.push(file.path);
  }
  return { stale, missing, orphaned: orphanedFiles(outDir, files, source) };
}

/** readFileSync, whose EISDIR error does not say which path was a directory; this one does. */
function readWithPath(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && !('path' in error)) Object.assign(error, { path });
    throw error;
  }
}

/**
 * Files that this same config generated earlier (their header names it), in the directories we write
 * to, that the bundle no longer contains. Other configs' files in the same directory are left alone.
 */
function orphanedFiles(outDir: string, files: readonly RenderedFile[], source: string): string[] {
  const wanted = new Set(files.map((f) => f.path));
  const dirs = new Set(files.map((f) => dirname(f.path)));
  const orphaned: string[] = [];
  for (const dir of [...dirs].sort()) {
    const abs = join(outDir, dir);
    if (!existsSync(abs)) continue;
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = dir === '.' ? entry.name : `${dir}/${entry.name}`;
      if (!entry.isFile() || wanted.has(path)) continue;
      const own = headerFor(path, source);
      // a script keeps its #! line first: the header is on the second line
      if (own !== undefined && (startsWith(join(abs, entry.name), own) || secondLineIs(join(abs, entry.name), own))) orphaned.push(path);
    }
  }
  return orphaned.sort();
}

/** Reads only as many bytes as the prefix: directories may hold many large files that are not ours. */
function startsWith(path: string, prefix: string): boolean {
  const expected = Buffer.from(prefix);
  const head = Buffer.alloc(expected.length);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(expected);
  } finally {
    closeSync(fd);
  }
}

/** The header of a script sits after its `#!` line. */
function secondLineIs(path: string, line: string): boolean {
  const head = Buffer.alloc(512 + line.length);
  const fd = openSync(path, 'r');
  try {
    const text = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString('utf8');
    return text.startsWith('#!') && text.slice(text.indexOf('\n') + 1).startsWith(line);
  } finally {
    closeSync(fd);
  }
}
