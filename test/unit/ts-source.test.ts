import { describe, expect, it } from 'vitest';
import { readTsSource } from '../../src/spec/ts-source.js';

/** Reading a TS config's source before it runs: field lines, duplicated keys, syntax errors. */
describe('TS config source', () => {
  it('locates fields of a config exported through a const and `satisfies`', async () => {
    const text = [
      "import type { ObsConfig } from 'obs';", // 1
      'const config = {', // 2
      "  service: { name: 'api' },", // 3
      '  slos: {', // 4
      "    'llm-latency': {", // 5
      '      objective: 95,', // 6
      "      sli: { genaiLatency: { threshold: '5s' } },", // 7
      '    },', // 8
      '  },', // 9
      '} satisfies ObsConfig;', // 10
      'export default config;', // 11
    ].join('\n');
    const source = await readTsSource('obs.config.ts', text);
    expect(source?.issues).toEqual([]);
    expect(source?.locate(['slos', 'llm-latency', 'objective'])).toBe(6);
    expect(source?.locate(['slos', 'llm-latency', 'sli', 'genaiLatency', 'threshold'])).toBe(7);
    // A missing field points at its parent.
    expect(source?.locate(['slos', 'llm-latency', 'period'])).toBe(5);
  });

  it('finds a key written twice anywhere, with the field path when it is in the config', async () => {
    const text = [
      'const shared = { a: 1, a: 2 };', // 1
      'export default {', // 2
      "  service: { name: 'api', 'name': 'web' },", // 3
      '  slos: {},', // 4
      '};', // 5
    ].join('\n');
    const source = await readTsSource('obs.config.ts', text);
    expect(source?.issues.map((i) => [i.path, i.line, i.message.split(';')[0]])).toEqual([
      [[], 1, '"a" is written twice (lines 1 and 1)'],
      [['service', 'name'], 3, 'is written twice (lines 3 and 3)'],
    ]);
  });

  it('ignores what JavaScript does not treat as a repeated key: accessors, computed keys, spreads', async () => {
    const text = "const k = 'x';\nexport default { get a() { return 1 }, set a(v) {}, [k]: 1, [k]: 2, ...{ b: 1 }, b: 2 };\n";
    expect((await readTsSource('obs.config.ts', text))?.issues).toEqual([]);
  });

  it('gives a syntax error its line, column and source line', async () => {
    const source = await readTsSource('obs.config.ts', 'export default {\n  a: 1\n  b: 2,\n};\n');
    expect(source?.issues).toEqual([
      { path: [], message: 'syntax error: Expected `,` or `}` but found `Identifier`', line: 3, column: 3, excerpt: '  b: 2,' },
    ]);
  });
});
