import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
  if (!existsSync(outDir)) return writeNewDirectory(outDir, files);
  const drift = checkBundle(outDir, files, source);
  const changed = new Set([...drift.stale, ...drift.missing]);
  const toWrite = files.filter((f) => changed.has(f.path));
  // A top-level directory the bundle creates (rules/, dashboards/, … on a first run) moves into place
  // whole: one rename instead of one per file.
  const newDirs = new Set<string>();
  for (const path of drift.missing) {
    const top = topDirectory(path);
    if (top !== undefined && !newDirs.has(top) && !existsSync(join(outDir, top))) newDirs.add(top);
  }
  if (toWrite.length === 0) {
    for (const path of drift.orphaned) rmSync(join(outDir, path));
    return { written: [], unchanged: files.map((f) => f.path), removed: drift.orphaned };
  }
  const tmp = join(outDir, `.obs-tmp-${process.pid}-${Date.now()}`);
  try {
    writeTree(tmp, toWrite);
    for (const dir of newDirs) renameSync(join(tmp, dir), join(outDir, dir));
    // A bundle has ~100 files in a dozen directories: create each directory once, not once per file.
    const made = new Set<string>();
    for (const file of toWrite) {
      const top = topDirectory(file.path);
      if (top !== undefined && newDirs.has(top)) continue;
      const dir = dirname(join(outDir, file.path));
      if (!made.has(dir)) mkdirSync(dir, { recursive: true });
      made.add(dir);
      renameSync(join(tmp, file.path), join(outDir, file.path));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const path of drift.orphaned) rmSync(join(outDir, path));
  return {
    written: toWrite.map((f) => f.path),
    unchanged: files.filter((f) => !changed.has(f.path)).map((f) => f.path),
    removed: drift.orphaned,
  };
}

/** `rules` for `rules/x.yml`; undefined for a file directly in the output directory. */
function topDirectory(path: string): string | undefined {
  const slash = path.indexOf('/');
  return slash === -1 ? undefined : path.slice(0, slash);
}

/**
 * A directory that does not exist yet: the whole tree is written beside it and renamed into place in one
 * step, so the bundle appears whole or not at all, with nothing to compare and one rename instead of one
 * per file (creating files is most of the cost of a large bundle).
 */
function writeNewDirectory(outDir: string, files: readonly RenderedFile[]): WriteReport {
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.obs-tmp-${basename(outDir)}-${process.pid}-${Date.now()}`);
  try {
    writeTree(tmp, files);
    renameSync(tmp, outDir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    // name the file the user asked for, not our temporary one
    const path = (error as { path?: unknown } | null)?.path;
    if (typeof path === 'string' && path.startsWith(tmp)) Object.assign(error as object, { path: outDir + path.slice(tmp.length) });
    throw error;
  }
  return { written: files.map((f) => f.path), unchanged: [], removed: [] };
}

/** Creates `root` (new) with the files under it: every directory once, parents first, then the files. */
function writeTree(root: string, files: readonly RenderedFile[]): void {
  mkdirSync(root);
  const dirs = new Set<string>();
  for (const file of files) for (let dir = dirname(file.path); dir !== '.' && !dirs.has(dir); dir = dirname(dir)) dirs.add(dir);
  for (const dir of [...dirs].sort((a, b) => a.length - b.length)) mkdirSync(join(root, dir));
  for (const file of files) writeFileSync(join(root, file.path), file.text);
}

/** Compares the bundle with the disk without writing: the `--check` drift gate. */
export function checkBundle(outDir: string, files: readonly RenderedFile[], source: string): DriftReport {
  const stale: string[] = [];
  const missing: string[] = [];
  // a top-level directory that is not there (a first run) holds none of its files: no look-up per file
  const present = new Map<string, boolean>();
  for (const file of files) {
    const top = topDirectory(file.path);
    if (top !== undefined && !present.has(top)) present.set(top, existsSync(join(outDir, top)));
    const path = join(outDir, file.path);
    if ((top !== undefined && !present.get(top)) || !existsSync(path)) missing.push(file.path);
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
