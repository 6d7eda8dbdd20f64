import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_CASES, GOLDEN_DIR } from './cases.js';
import { listFiles, ROOT, runCli, tempDir } from './helpers.js';

/**
 * Golden files: every generated artefact is compared with the committed one. To accept an intended
 * change, run `UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts` and review the diff before committing.
 */
const UPDATE = process.env.UPDATE_GOLDEN === '1';

describe('golden bundles', () => {
  it.each(GOLDEN_CASES.map((c) => [c.name, c] as const))('%s matches its golden files', async (_, c) => {
    const out = tempDir();
    const result = await runCli(['generate', '--config', c.config, '--out', out], ROOT);
    expect(result.stderr.replace(/^warning: .*$/gm, '').trim()).toBe('');
    expect(result.code).toBe(0);
    if (UPDATE) {
      rmSync(c.golden, { recursive: true, force: true });
      cpSync(out, c.golden, { recursive: true });
    }
    // A generated file without an expected one fails, and so does an expected file nothing generates.
    expect(listFiles(out)).toEqual(listFiles(c.golden));
    for (const file of listFiles(out)) {
      expect(readFileSync(join(out, file), 'utf8'), file).toBe(readFileSync(join(c.golden, file), 'utf8'));
    }
  });

  it('has no golden directory without an input', () => {
    const names = new Set(GOLDEN_CASES.map((c) => c.name));
    expect(readdirSync(GOLDEN_DIR).filter((d) => !names.has(d))).toEqual([]);
  });

  it('the committed example bundle is up to date with obs.config.ts', async () => {
    const result = await runCli(['generate', '--check'], ROOT);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('generates byte-identical output twice in a row', async () => {
    const [a, b] = [tempDir(), tempDir()];
    await runCli(['generate', '--config', 'obs.config.ts', '--out', a], ROOT);
    await runCli(['generate', '--config', 'obs.config.ts', '--out', b], ROOT);
    for (const file of listFiles(a)) expect(readFileSync(join(b, file), 'utf8')).toBe(readFileSync(join(a, file), 'utf8'));
    expect(existsSync(join(a, 'rules/chat-api-slo-availability.rules.yml'))).toBe(true);
  });
});
