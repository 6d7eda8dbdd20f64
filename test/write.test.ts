/**
 * Writing the bundle (src/write/write.ts): a new directory appears whole or not at all; in an existing one
 * only what changed is written, other files stay, and no temporary directory is left behind.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { headerFor, type RenderedFile } from '../src/write/render.js';
import { checkBundle, writeBundle } from '../src/write/write.js';
import { listFiles, tempDir } from './helpers.js';

const SOURCE = 'obs.config.ts';
const file = (path: string, body: string): RenderedFile => ({ path, text: `${headerFor(path, SOURCE) ?? ''}${body}` });
const bundle = [file('rules/a.rules.yml', 'groups: []\n'), file('rules/mimir/a.yml', 'namespace: a\n'), file('dashboards/d.json', '{}\n'), file('top.yml', 'x: 1\n')];

let dirs: string[] = [];
const dir = () => {
  const d = tempDir('obs-write-');
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('writeBundle', () => {
  it('creates a directory that does not exist with every file, leaving nothing else beside it', () => {
    const parent = dir();
    const out = join(parent, 'nested', 'bundle');
    const report = writeBundle(out, bundle, SOURCE);
    expect(report).toEqual({ written: bundle.map((f) => f.path), unchanged: [], removed: [] });
    expect(listFiles(out)).toEqual(bundle.map((f) => f.path).sort());
    for (const f of bundle) expect(readFileSync(join(out, f.path), 'utf8')).toBe(f.text);
    expect(readdirSync(join(parent, 'nested'))).toEqual(['bundle']);
    expect(checkBundle(out, bundle, SOURCE)).toEqual({ stale: [], missing: [], orphaned: [] });
  });

  it('leaves no directory at all when writing a new one fails, and names the path the user asked for', () => {
    const parent = dir();
    const out = join(parent, 'bundle');
    // a file and a directory under the same name: the second cannot be created
    const clash = [file('rules/x.yml', 'a\n'), file('rules/x.yml/y.yml', 'b\n')];
    let error: unknown;
    try {
      writeBundle(out, clash, SOURCE);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as { path?: string }).path?.startsWith(out)).toBe(true);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('in an existing directory, moves new directories in, keeps other files and writes only what changed', () => {
    const out = dir();
    mkdirSync(join(out, 'rules'));
    writeFileSync(join(out, 'rules', 'theirs.yml'), 'not ours\n');
    writeFileSync(join(out, 'README.md'), 'the project\n');
    // a file obs generated earlier from this config that the bundle no longer has
    writeFileSync(join(out, 'rules', 'old.rules.yml'), file('rules/old.rules.yml', 'groups: []\n').text);

    const first = writeBundle(out, bundle, SOURCE);
    expect(first.written).toEqual(bundle.map((f) => f.path));
    expect(first.removed).toEqual(['rules/old.rules.yml']);
    expect(listFiles(out)).toEqual(['README.md', 'dashboards/d.json', 'rules/a.rules.yml', 'rules/mimir/a.yml', 'rules/theirs.yml', 'top.yml']);
    expect(readFileSync(join(out, 'rules', 'theirs.yml'), 'utf8')).toBe('not ours\n');

    const before = statSync(join(out, 'dashboards', 'd.json')).mtimeMs;
    const changed = bundle.map((f) => (f.path === 'rules/a.rules.yml' ? file(f.path, 'groups: [changed]\n') : f));
    const second = writeBundle(out, changed, SOURCE);
    expect(second).toEqual({ written: ['rules/a.rules.yml'], unchanged: ['rules/mimir/a.yml', 'dashboards/d.json', 'top.yml'], removed: [] });
    expect(readFileSync(join(out, 'rules', 'a.rules.yml'), 'utf8')).toContain('groups: [changed]');
    expect(statSync(join(out, 'dashboards', 'd.json')).mtimeMs).toBe(before);
    expect(readdirSync(out).filter((name) => name.startsWith('.obs-tmp'))).toEqual([]);
    expect(existsSync(join(out, 'rules', 'old.rules.yml'))).toBe(false);
  });

  it('reports every file of a directory not there yet as missing, without reading any', () => {
    const out = dir();
    expect(checkBundle(join(out, 'absent'), bundle, SOURCE)).toEqual({ stale: [], missing: bundle.map((f) => f.path), orphaned: [] });
    expect(checkBundle(out, bundle, SOURCE).missing).toEqual(bundle.map((f) => f.path));
  });
});
