import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateBundle } from '../../src/generate/index.js';
import { resolveModel } from '../../src/model/resolve.js';
import { loadConfig } from '../../src/spec/load.js';

/**
 * Every import fixture through the whole pipeline — load, resolve, generate — then promtool: the rules
 * must load and the generated unit tests (an outage pages, recovery resolves, …) must pass. The generated
 * tests simulate days of traffic minute by minute, so promtool takes tens of seconds per file: fixtures
 * run concurrently, with a generous timeout.
 */

const run = promisify(execFile);
const TIMEOUT = 300_000;

const FIXTURES = fileURLToPath(new URL('../fixtures/import/', import.meta.url));
const fixtures = readdirSync(FIXTURES).filter((f) => /^(sloth|openslo)-.*\.ya?ml$/.test(f));

async function promtool(args: string[], cwd: string): Promise<string> {
  try {
    return (await run('promtool', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

describe('imported specs through the pipeline and promtool', () => {
  it('has fixtures of both formats', () => {
    expect(fixtures.filter((f) => f.startsWith('sloth-')).length).toBeGreaterThanOrEqual(3);
    expect(fixtures.filter((f) => f.startsWith('openslo-')).length).toBeGreaterThanOrEqual(3);
  });

  it.concurrent.each(fixtures)('%s: promtool checks the rules and passes the generated tests', { timeout: TIMEOUT }, async (fixture) => {
    const loaded = await loadConfig(join(FIXTURES, fixture), FIXTURES);
    expect(loaded.format).toBe(fixture.startsWith('sloth-') ? 'sloth' : 'openslo');
    const files = generateBundle(resolveModel(loaded.source, loaded.documents, loaded.locate));

    const out = mkdtempSync(join(tmpdir(), 'obs-import-pipeline-'));
    for (const file of files) {
      mkdirSync(join(out, dirname(file.path)), { recursive: true });
      writeFileSync(join(out, file.path), stringify(file.content, { lineWidth: 0 }));
    }
    const rules = files.filter((f) => f.path.endsWith('.rules.yml')).map((f) => f.path);
    const tests = files.filter((f) => f.path.endsWith('.test.yml')).map((f) => f.path);
    expect(rules.length).toBeGreaterThan(0);
    expect(tests.length).toBe(rules.length);
    for (const path of rules) expect(await promtool(['check', 'rules', path], out)).toContain('SUCCESS');
    for (const path of tests) expect(await promtool(['test', 'rules', path], out)).toContain('SUCCESS');
  });
});
