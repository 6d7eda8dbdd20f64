import type { z } from 'zod';

export type FieldPath = readonly (string | number)[];

/** One thing wrong with a config, located by field path (and, for YAML, a line). */
export interface ConfigIssue {
  readonly path: FieldPath;
  readonly message: string;
  /** The offending value, quoted after the message as ", got …". Omitted when nothing was found. */
  readonly got?: unknown;
  /** Index of the YAML document in a multi-document file. */
  readonly document?: number;
  /** Known line (e.g. of a YAML syntax error); otherwise the locator finds it from the path. */
  readonly line?: number;
  /** Known column, with `line`: shown as FILE:LINE:COLUMN. */
  readonly column?: number;
  /** The offending source line, shown under the message with a caret at `column`. */
  readonly excerpt?: string;
}

/** Maps a field path to a 1-based line number in the source, when the source has lines (YAML). */
export type Locator = (path: FieldPath, document?: number) => number | undefined;

/** Problems listed one by one; past this, the input is more likely the wrong file than a config to fix. */
const MAX_LISTED = 20;

/** Invalid input. The CLI prints `message` and exits 1; nothing is ever written when this is thrown. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
    locate?: Locator,
  ) {
    const listed = issues.slice(0, MAX_LISTED).map((issue) => formatIssue(file, issue, locate));
    const more = issues.length - listed.length;
    if (more > 0) listed.push(`${file}: … and ${more} more problems (is this the config you meant?)`);
    super(listed.join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? cap(part) : `.${cap(part)}`;
  return out || '(top level)';
}

/** Longest user text quoted back in a message: garbage input must not flood the terminal. */
const QUOTE_LIMIT = 80;

/** At most QUOTE_LIMIT characters of `text`, on one line, saying how much was left out. */
export function cap(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ');
  return flat.length <= QUOTE_LIMIT ? flat : `${flat.slice(0, QUOTE_LIMIT)}… (${flat.length} characters)`;
}

function formatIssue(file: string, issue: ConfigIssue, locate?: Locator): string {
  const line = issue.line ?? locate?.(issue.path, issue.document);
  const column = line !== undefined && issue.column !== undefined ? `:${issue.column}` : '';
  const where = line !== undefined ? `${file}:${line}${column}` : issue.document ? `${file} (document ${issue.document + 1})` : file;
  const got = 'got' in issue ? `, got ${describeValue(issue.got)}` : '';
  const path = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  return `${where}: ${path}${issue.message}${got}${excerpt(issue, line)}`;
}

/** The source line under the message, cut to a screen's width around the column, with a caret. */
function excerpt(issue: ConfigIssue, line: number | undefined): string {
  if (issue.excerpt === undefined || line === undefined) return '';
  const column = issue.column ?? 1;
  const start = Math.max(0, column - 60);
  const text = issue.excerpt.slice(start, start + 100);
  const gutter = ' '.repeat(String(line).length);
  const caret = issue.column === undefined ? '' : ` ${' '.repeat(column - 1 - start)}^`;
  return `\n  ${line} | ${text}\n  ${gutter} |${caret}`;
}

/** Objects and lists say nothing useful after "got"; primitives and empty lists do. */
function worthQuoting(value: unknown): boolean {
  if (value === undefined) return false;
  if (Array.isArray(value)) return value.length === 0;
  return value === null || typeof value !== 'object';
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value);
    return quoted.length <= QUOTE_LIMIT ? quoted : `${JSON.stringify(value.slice(0, QUOTE_LIMIT))}… (${value.length} characters)`;
  }
  return String(value);
}

export function valueAt(data: unknown, path: FieldPath): unknown {
  let node: unknown = data;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/** Turns zod's issues into ours: readable messages, the offending value, unknown keys one by one. */
interface ZodIssueLike {
  readonly code?: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly expected?: string;
  readonly keys?: readonly string[];
  readonly issues?: readonly ZodIssueLike[];
  readonly errors?: readonly (readonly ZodIssueLike[])[];
}

export function fromZodIssues(schema: z.ZodType, error: z.ZodError, data: unknown, document?: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const doc = document === undefined ? {} : { document };
  const push = (path: FieldPath, message: string, value?: unknown) =>
    issues.push({ path, message, ...(worthQuoting(value) && { got: value }), ...doc });

  function convert(issue: ZodIssueLike, prefix: FieldPath): void {
    const path = [...prefix, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')];
    const value = valueAt(data, path);
    const custom = !issue.message.startsWith('Invalid input');
    if (issue.code === 'invalid_union' && issue.errors && value !== null && typeof value === 'object') {
      // The input is an object: report what is wrong inside it, from the branch that accepts objects.
      const branch = issue.errors.find((errors) => errors.length > 0 && errors.every((e) => e.path.length > 0));
      if (branch) return branch.forEach((e) => convert(e, path));
    }
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, path);
      for (const key of issue.keys ?? []) {
        const hint = suggest(key, known);
        push([...path, key], `unknown field${hint ? `; did you mean ${hint}?` : ''}`);
      }
    } else if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
      const what = custom ? issue.message.replace(/^must be /, '') : expectedText(issue.expected ?? '');
      push(path, `is required (${what})`);
    } else if (issue.code === 'invalid_key') {
      // zod puts the offending key at the end of the path already.
      push(path, `name ${issue.issues?.[0]?.message ?? 'is invalid'}`);
    } else if (issue.code === 'invalid_type' && !custom) {
      push(path, `must be ${expectedText(issue.expected ?? '')}`, value);
    } else {
      push(path, issue.message, value);
    }
  }

  for (const issue of error.issues) convert(issue as ZodIssueLike, []);
  return issues;
}

function expectedText(expected: string): string {
  if (expected === 'object' || expected === 'record') return 'an object';
  if (expected === 'array') return 'a list';
  if (expected === 'string' || expected === 'number' || expected === 'boolean') return `a ${expected}`;
  return expected;
}

/** zod does not say which keys were allowed; walk the schema along the path to find out. */
function knownKeys(schema: z.ZodType, path: FieldPath): readonly string[] {
  let node: z.ZodType | undefined = schema;
  for (const part of [...path, undefined]) {
    // Unwrap optional/default/pipe wrappers and pick the object branch of a union.
    for (let i = 0; node && i < 8; i++) {
      const def = (node as unknown as { def: Record<string, unknown> }).def;
      if (def.innerType) node = def.innerType as z.ZodType;
      else if (def.type === 'union') node = (def.options as z.ZodType[]).find((o) => 'shape' in o);
      else break;
    }
    if (!node) return [];
    if (part === undefined) return 'shape' in node ? Object.keys((node as z.ZodObject).shape) : [];
    const def = (node as unknown as { def: Record<string, unknown> }).def;
    if ('shape' in node) node = (node as z.ZodObject).shape[String(part)] as z.ZodType | undefined;
    else if (def.type === 'record') node = def.valueType as z.ZodType;
    else if (def.type === 'array') node = def.element as z.ZodType;
    else return [];
  }
  return [];
}

/** The closest known key within two edits, for "did you mean". */
export function suggest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
