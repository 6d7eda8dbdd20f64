import { z } from 'zod';
import { type ConfigIssue, editDistance, type FieldPath, fromZodIssues, suggest } from '../errors.js';

/**
 * Helpers shared by the importers. The name rules mirror schema.ts: importers check them up front so
 * problems are reported with the peer's field paths (our own validation runs again afterwards).
 */

export const SLUG = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const SLUG_MESSAGE = 'must be letters, digits, dots, dashes or underscores, starting with a letter or digit';
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const ALERT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Periods obs supports: whole days from 7 to 90. */
export const DAY = 86_400;
export const MIN_PERIOD_DAYS = 7;
export const MAX_PERIOD_DAYS = 90;

/** `Latency (p99)` → `latency-p99`: a display name made fit for an SLO name. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * Parses a document with a zod schema and reports problems at the document's own field paths. Issues
 * raised by our refinements carry their complete message, so they get no ", got …" suffix.
 */
export function parseDocument<S extends z.ZodType>(
  schema: S,
  data: unknown,
  document: number,
): { ok: true; value: z.output<S> } | { ok: false; issues: ConfigIssue[] } {
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.flatMap((issue): ConfigIssue[] =>
    issue.code === 'custom'
      ? [{ path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'), message: issue.message, document }]
      : fromZodIssues(schema, new z.ZodError([issue]), data, document),
  );
  return { ok: false, issues };
}

/** Collects issues for one document; the importers' hand-written checks report through it. */
export class Issues {
  constructor(
    readonly list: ConfigIssue[],
    readonly document: number,
  ) {}

  /** The same list, for checks that read another document (an OpenSLO SLI referenced by an SLO). */
  in(document: number): Issues {
    return new Issues(this.list, document);
  }

  add(path: FieldPath, message: string, ...got: [] | [unknown]): void {
    this.list.push({ path, message, ...(got.length > 0 && { got: got[0] }), document: this.document });
  }
}

/** Drops repeated issues (a shared definition checked once per user reports its problems once). */
export function uniqueIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify([issue.document, issue.path, issue.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A parsed YAML mapping. */
export type Node = Record<string, unknown>;

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `path`, or undefined with an issue. */
export function node(value: unknown, path: FieldPath, issues: Issues): Node | undefined {
  if (isNode(value)) return value;
  if (value === undefined) issues.add(path, 'is required (an object)');
  else issues.add(path, 'must be an object', value);
  return undefined;
}

/**
 * Flags a key that is a near miss of a known one (`objectivez`). Formats that allow extensions (OpenSLO)
 * cannot reject every unknown key, but a typo drops a field without a word, so it is reported.
 */
export function checkTypos(value: Node, known: readonly string[], path: FieldPath, issues: Issues): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const hint = suggest(key, known);
    // Short keys are near everything short: one edit at most for them.
    if (hint && (editDistance(key.toLowerCase(), hint.toLowerCase()) <= 1 || key.length >= 5)) {
      issues.add([...path, key], `unknown field; did you mean ${hint}?`);
    }
  }
}
