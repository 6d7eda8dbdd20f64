import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { ROOT } from './helpers.js';

/** Every input that has a golden bundle: our own configs and the imported Sloth/OpenSLO specs. */
export interface GoldenCase {
  readonly name: string;
  /** Relative to the repository root, as the CLI shows it in headers and errors. */
  readonly config: string;
  readonly golden: string;
}

const INPUT_DIRS = ['test/fixtures/configs', 'test/fixtures/import'];

export const GOLDEN_DIR = join(ROOT, 'test/golden');

export const GOLDEN_CASES: readonly GoldenCase[] = INPUT_DIRS.flatMap((dir) =>
  readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const name = basename(e.name, extname(e.name));
      return { name, config: `${dir}/${e.name}`, golden: join(GOLDEN_DIR, name) };
    }),
).sort((a, b) => a.name.localeCompare(b.name));
