import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_CASES } from './cases.js';
import { ROOT, promtoolAsync } from './helpers.js';

/**
 * The real judge: promtool (Prometheus 2.42 from Debian) checks every generated rule file and runs
 * every generated unit test, for the example bundle and for every golden bundle. Test files (one or two
 * per SLO) run concurrently, at most one promtool per core.
 */

/** Runs at most `limit` tasks at once; the rest wait their turn. */
function pool(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

const inPool = pool(Math.max(1, availableParallelism()));

const promtool = promtoolAsync;

const BUNDLES = [
  { name: 'example (obs.config.ts)', rules: join(ROOT, 'rules') },
  ...GOLDEN_CASES.map((c) => ({ name: c.name, rules: join(c.golden, 'rules') })),
];

const filesOf = (dir: string, suffix: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f));

describe.concurrent('promtool', () => {
  it.each(BUNDLES.map((b) => [b.name, b] as const))('accepts the rules of %s', async (_, bundle) => {
    const files = filesOf(bundle.rules, '.rules.yml');
    expect(files.length).toBeGreaterThan(0);
    expect(await promtool('check', 'rules', ...files)).toMatch(/SUCCESS/);
  });

  it.each(BUNDLES.map((b) => [b.name, b] as const))('has promtool tests in %s', (_, bundle) => {
    expect(filesOf(bundle.rules, '.test.yml').length).toBeGreaterThan(0);
  });

  const TEST_FILES = BUNDLES.flatMap((b) => filesOf(b.rules, '.test.yml').map((f) => relative(ROOT, f)));
  it.each(TEST_FILES)(
    'passes the generated unit tests of %s',
    async (file) => {
      const output = await inPool(() => promtool('test', 'rules', join(ROOT, file)));
      expect(output).toMatch(/SUCCESS/);
      expect(output).not.toMatch(/FAILED/);
    },
    1_200_000,
  );

  it.each([
    ['renders the alert annotations (burn rate, budget left, time to exhaustion)', 'annotations.test.yml'],
    ['keeps a 0/0 hour from poisoning the period SLI with NaN', 'nan-guard.test.yml'],
  ])('%s, as pinned by a hand-written test', async (_, file) => {
    expect(await promtool('test', 'rules', join(ROOT, 'test/fixtures/promtool', file))).toMatch(/SUCCESS/);
  }, 900_000);
});
