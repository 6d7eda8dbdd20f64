import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INVALID_CASES } from './invalid-cases.js';
import { INVALID_OPS_CASES } from './invalid-ops-cases.js';
import { listFiles, runCli, tempDir } from './helpers.js';

/** Error text is user interface: every message is pinned, and invalid input never writes a file. */
describe('invalid configs', () => {
  it.each([...INVALID_CASES, ...INVALID_OPS_CASES].map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const dir = tempDir();
    const file = c.file ?? 'obs.yaml';
    writeFileSync(join(dir, file), c.input);
    const result = await runCli(['generate', '--config', file], dir);
    if (process.env.PRINT_MESSAGES) console.log(JSON.stringify({ name: c.name, message: result.stderr }));
    expect(result.stderr).toBe(c.message);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/); // never a stack trace
    expect(listFiles(dir)).toEqual([file]); // never a partial bundle
  });
});
