import type { ConfigIssue, FieldPath, Locator } from './errors.js';

/**
 * Reads a TS/JS config's source with a real parser (oxc) before it runs, for what evaluating it hides:
 * a syntax error's exact place, object keys written twice (JavaScript keeps the last one silently, so
 * a duplicated SLO name would drop an SLO), and the line of every field, for error messages.
 */

export interface TsSource {
  /** Syntax errors and duplicated keys: the config must not be run. */
  readonly issues: readonly ConfigIssue[];
  readonly locate: Locator;
}

/** An ESTree node as oxc-parser returns it: plain objects with offsets. */
interface AstNode {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [key: string]: unknown;
}

/** Undefined when the parser is not available on this platform: the config is then just run. */
export async function readTsSource(file: string, text: string): Promise<TsSource | undefined> {
  let parseSync: typeof import('oxc-parser').parseSync;
  try {
    ({ parseSync } = await import('oxc-parser'));
  } catch {
    return undefined;
  }
  const lines = lineStarts(text);
  const position = (offset: number) => {
    let line = 0;
    while (line + 1 < lines.length && lines[line + 1]! <= offset) line++;
    return { line: line + 1, column: offset - lines[line]! + 1 };
  };
  const lineText = (line: number) => text.slice(lines[line - 1], (lines[line] ?? text.length + 1) - 1).replace(/\r$/, '');

  const result = parseSync(file, text);
  const error = result.errors.find((e) => e.severity === 'Error');
  if (error) {
    const at = position(error.labels[0]?.start ?? 0);
    const issue: ConfigIssue = { path: [], message: `syntax error: ${error.message}`, ...at, excerpt: lineText(at.line) };
    return { issues: [issue], locate: () => undefined };
  }

  const program = result.program as unknown as AstNode;
  const root = configRoot(program);
  const paths = new Map<AstNode, FieldPath>();
  if (root) mapPaths(root, [], paths);

  const issues: ConfigIssue[] = [];
  walk(program, (node) => {
    if (node.type !== 'ObjectExpression') return;
    const seen = new Map<string, AstNode>();
    for (const property of node.properties as AstNode[]) {
      const key = keyName(property);
      if (key === undefined) continue;
      const first = seen.get(key);
      seen.set(key, property);
      if (!first) continue;
      const objectPath = paths.get(node);
      const { line } = position(property.start);
      issues.push({
        path: objectPath ? [...objectPath, key] : [],
        line,
        message:
          `${objectPath ? '' : `"${key}" `}is written twice (lines ${position(first.start).line} and ${line}); ` +
          'JavaScript keeps only the last one and silently drops the other: rename or remove one',
      });
    }
  });

  const locate: Locator = (path) => {
    let node: AstNode | undefined = root;
    let line: number | undefined = root && position(root.start).line;
    for (const part of path) {
      const next = node && child(node, part);
      if (!next) break;
      line = position(next.at).line;
      node = next.value;
    }
    return line;
  };
  return { issues, locate };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The object literal a config exports: `export default defineConfig({…})`, `{…} satisfies …`, or a const. */
function configRoot(program: AstNode): AstNode | undefined {
  const body = program.body as AstNode[];
  const exported = body.find((n) => n.type === 'ExportDefaultDeclaration')?.declaration as AstNode | undefined;
  let node = exported;
  for (let i = 0; node && i < 8; i++) {
    if (node.type === 'ObjectExpression') return node;
    if (node.type === 'CallExpression') node = (node.arguments as AstNode[])[0];
    else if (node.type === 'Identifier') node = declaredValue(body, node.name as string);
    else node = unwrap(node);
  }
  return undefined;
}

/** `x satisfies T`, `x as T`, `(x)`: the expression inside. */
function unwrap(node: AstNode): AstNode | undefined {
  return ['TSSatisfiesExpression', 'TSAsExpression', 'TSNonNullExpression', 'ParenthesizedExpression'].includes(node.type)
    ? (node.expression as AstNode)
    : undefined;
}

function declaredValue(body: AstNode[], name: string): AstNode | undefined {
  for (const statement of body) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? (statement.declaration as AstNode | null) : statement;
    if (declaration?.type !== 'VariableDeclaration') continue;
    for (const declarator of declaration.declarations as AstNode[]) {
      if ((declarator.id as AstNode).type === 'Identifier' && (declarator.id as AstNode).name === name) {
        return (declarator.init as AstNode | null) ?? undefined;
      }
    }
  }
  return undefined;
}

/** `key: value` and `'key': value`; undefined for computed keys, spreads, methods and accessors. */
function keyName(property: AstNode): string | undefined {
  if (property.type !== 'Property' || property.computed || property.kind !== 'init') return undefined;
  const key = property.key as AstNode;
  if (key.type === 'Identifier') return key.name as string;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return undefined;
}

/** The value at one step of a field path (the last of repeated keys, as JavaScript has it), and where. */
function child(node: AstNode, part: string | number): { value: AstNode | undefined; at: number } | undefined {
  if (node.type === 'ObjectExpression') {
    const property = (node.properties as AstNode[]).findLast((p) => keyName(p) === String(part));
    return property && { value: plain(property.value as AstNode), at: property.start };
  }
  if (node.type === 'ArrayExpression' && typeof part === 'number') {
    const element = (node.elements as (AstNode | null)[])[part];
    return element ? { value: plain(element), at: element.start } : undefined;
  }
  return undefined;
}

function plain(node: AstNode): AstNode {
  let current = node;
  for (let next = unwrap(current); next; next = unwrap(current)) current = next;
  return current;
}

/** Field paths of the object literals reachable from the config's root through literal keys. */
function mapPaths(node: AstNode, path: FieldPath, paths: Map<AstNode, FieldPath>): void {
  if (node.type === 'ObjectExpression') {
    paths.set(node, path);
    for (const property of node.properties as AstNode[]) {
      const key = keyName(property);
      if (key !== undefined) mapPaths(plain(property.value as AstNode), [...path, key], paths);
    }
  } else if (node.type === 'ArrayExpression') {
    (node.elements as (AstNode | null)[]).forEach((element, index) => element && mapPaths(plain(element), [...path, index], paths));
  }
}

function walk(node: unknown, visit: (node: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (node === null || typeof node !== 'object' || typeof (node as AstNode).type !== 'string') return;
  visit(node as AstNode);
  for (const value of Object.values(node)) if (value !== null && typeof value === 'object') walk(value, visit);
}
