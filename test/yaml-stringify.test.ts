/**
 * The YAML writer of the bundle (src/write/yaml-stringify.ts) must write exactly what the `yaml` library
 * wrote before it: compared on every YAML file obs generates for the example and the golden inputs (with
 * a Kubernetes section, so every generator runs), and on documents built from awkward strings.
 */
import { join } from 'node:path';
import { Document, parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateBundle } from '../src/generate/index.js';
import type { GeneratedFile } from '../src/generate/types.js';
import { resolveModel } from '../src/model/resolve.js';
import { loadConfig } from '../src/spec/load.js';
import { renderOnce, stringifyYaml, toYaml } from '../src/write/yaml-stringify.js';
import { GOLDEN_CASES } from './cases.js';
import { exampleModel, withStack } from './compose-fixtures.js';
import { ROOT } from './helpers.js';

const library = (value: unknown) => new Document(value, { aliasDuplicateObjects: false }).toString({ lineWidth: 0 });

/** Files whose content is data written as YAML (not text, not JSON). */
const yamlFiles = (files: readonly GeneratedFile[]) => files.filter((f) => typeof f.content !== 'string' && !f.path.endsWith('.json'));

describe('stringifyYaml', () => {
  let generated: GeneratedFile[];
  beforeAll(async () => {
    const example = withStack(await exampleModel(), { kubernetes: { namespace: 'observability' } });
    generated = generateBundle(example);
    for (const c of GOLDEN_CASES) {
      const loaded = await loadConfig(join(ROOT, c.config), ROOT);
      generated.push(...generateBundle(resolveModel(loaded.source, loaded.documents, loaded.locate)));
    }
  });

  it('writes every generated YAML file as the yaml library does, without falling back to it', () => {
    const files = yamlFiles(generated);
    expect(files.length).toBeGreaterThan(40);
    // every kind of file the library wrote: Kubernetes, Mimir, compose, ops rules and tests, exporters
    for (const prefix of ['kubernetes/', 'rules/mimir/', 'compose/', 'rules/']) expect(files.some((f) => f.path.startsWith(prefix)), prefix).toBe(true);
    for (const file of files) expect(stringifyYaml(file.content), file.path).toBe(library(file.content));
  });

  const pieces = ['a', 'x y', ' ', '  ', '\t', '\n', '\n\n', ':', ': ', ' #', '#', '-', '- ', '?', '? ', '"', "'", '[', ']', '{', '}', ',', '|', '>', '!', '&', '*', '%', '@', '`', '---', '...', '\u0007', '\u0085', '\u00a0', '\u2028', 'é', '😀', '\ud800', 'true', 'null', '~', '0x1F', '0o7', '1e3', '.5', '-1', '+.inf', '.NaN', 'Yes', '$window', 'sum(rate(x[5m]))'];

  /** Every piece alone, and pairs and triples of them: short strings with every awkward position. */
  function awkwardStrings(): string[] {
    const out = new Set<string>(['', 'a'.repeat(50), `${'word '.repeat(12)}\nnext line\n`, 'line one\nline two', '\nleading', 'trailing\n', 'ends\n\n', '  indented\nblock', 'a\n  b', 'x \ny']);
    for (const a of pieces) {
      out.add(a);
      for (const b of pieces) {
        out.add(a + b);
        out.add(`${a}text${b}`);
        for (const c of ['\n', ' ', ':', '#']) out.add(a + c + b);
        // long enough (40+) for the library's multi-line double-quoted form
        out.add(`${'long text '.repeat(4)}${a}\n${b} \n\n ${a}`);
      }
    }
    return [...out];
  }

  it('quotes, blocks and escapes awkward strings as the library does, as keys, values and list items at every depth', () => {
    const strings = awkwardStrings();
    expect(strings.length).toBeGreaterThan(10_000);
    const mismatches: string[] = [];
    for (let i = 0; i < strings.length; i += 50) {
      const chunk = strings.slice(i, i + 50);
      const documents = [
        Object.fromEntries(chunk.map((s, j) => [s, j % 2 ? s : [s, { [s]: s }]])),
        chunk,
        { top: { nested: chunk.map((s) => ({ key: s, list: [s, [s]] })) } },
        [[chunk.map((s) => ({ [s]: { [s]: [s] } }))]],
      ];
      for (const document of documents) {
        const ours = stringifyYaml(document);
        if (ours !== library(document)) mismatches.push(JSON.stringify(chunk));
      }
    }
    expect(mismatches.slice(0, 3)).toEqual([]);
  });

  it('writes numbers, booleans, null, empty collections and undefined map values as the library does', () => {
    const document = {
      numbers: [0, -0, 1, -1, 0.5, 1e21, 1e-7, 123456789.125, Number.MAX_SAFE_INTEGER, Infinity, -Infinity, NaN],
      flags: [true, false],
      nothing: null,
      skipped: undefined,
      emptyList: [],
      emptyMap: {},
      onlyUndefined: { a: undefined },
      nested: [[], {}, [[]], { deeper: { deepest: [null, { x: [] }] } }],
      '123': 'numeric key',
      'a key: with colon': 1,
      [`${'k'.repeat(1030)}`]: 'explicit key',
    };
    expect(toYaml(document)).toBe(library(document));
    expect(parse(toYaml(document))).toMatchObject({ flags: [true, false], nothing: null, emptyList: [] });
  });

  it('leaves what is not plain data to the library, which then writes it', () => {
    class Box {
      readonly inside = 1;
    }
    for (const odd of [{ at: new Date(0) }, { map: new Map([['a', 1]]) }, { list: [1, undefined] }, { box: new Box() }, 'top-level scalar', 42, null]) {
      expect(stringifyYaml(odd)).toBeUndefined();
      expect(toYaml(odd)).toBe(library(odd));
    }
  });

  it('writes an object used twice in full both times, with no anchors', () => {
    const shared = { labels: { severity: 'page' } };
    const document = { first: shared, second: shared, list: [shared, shared] };
    expect(stringifyYaml(document)).toBe(library(document));
    expect(stringifyYaml(document)).not.toMatch(/[&*]/);
  });

  it('renders a recurring value once and places its text at any depth as the library would write it there', () => {
    const strings = awkwardStrings().filter((_, i) => i % 7 === 0);
    const group = renderOnce({ name: 'g', rules: strings.map((s) => ({ expr: s, labels: { [s]: s }, list: [s, [s]] })) });
    const documents = [{ groups: [group] }, { spec: { deeper: { groups: [group, group] } } }, [[group]], group];
    for (const document of documents) expect(stringifyYaml(document)).toBe(library(document));
    // rendered once: a later change to the value is not seen (model output is immutable)
    group.name = 'changed';
    expect(stringifyYaml({ groups: [group] })).toContain('name: g\n');
  });
});
