import { Document } from 'yaml';

/**
 * YAML text for plain data (objects, arrays, strings, numbers, booleans, null), byte for byte what
 * `new Document(value, { aliasDuplicateObjects: false }).toString({ lineWidth: 0 })` of the `yaml`
 * library (2.x, default options) writes, without building its node tree: at a thousand SLOs the library
 * spent most of `obs generate`'s time on the Kubernetes, Mimir and compose files. The scalar rules below
 * are the library's own (stringifyString.js, stringifyNumber.js), specialised to no line folding;
 * test/yaml-stringify.test.ts compares the two on every generated file and on awkward strings.
 * Anything outside plain data returns undefined, and the caller uses the library.
 */

/** How the library's stringifier sees a scalar's position: its indentation and whether it is a map key. */
interface Ctx {
  readonly indent: string;
  readonly implicitKey: boolean;
}

const STEP = '  ';

class NotPlainData extends Error {}

/**
 * Maps and lists that recur across documents (an owner's rule groups go into both its Mimir file and its
 * PrometheusRule, at different depths): rendered the first time at that depth, their text reused after,
 * re-indented for a deeper place. null: marked, not rendered yet. Values are immutable model output, so
 * the text cannot go stale.
 */
const recurring = new WeakMap<object, { readonly indent: string; readonly text: string } | null>();

/** Marks `value` as recurring (see above) and returns it. */
export function renderOnce<T extends object>(value: T): T {
  if (!recurring.has(value)) recurring.set(value, null);
  return value;
}

/** Text written at `from` moved to `to`: every line after the first, empty lines left empty as the writer leaves them. */
function reindented(text: string, from: string, to: string): string {
  const extra = to.slice(from.length);
  // a plain string replacement is several times faster than the regular expression, which only empty lines need
  return text.includes('\n\n') ? text.replace(/\n(?!\n)/g, `\n${extra}`) : text.replaceAll('\n', `\n${extra}`);
}

function recurringText(value: object, indent: string): string {
  const done = recurring.get(value);
  if (done && done.indent === indent) return done.text;
  if (done && indent.startsWith(done.indent)) return reindented(done.text, done.indent, indent);
  const own: string[] = [];
  if (Array.isArray(value)) sequence(value, indent, own);
  else if (isPlainObject(value)) mapping(value, indent, own);
  else throw new NotPlainData();
  const text = own.join('');
  // kept at the shallowest depth seen, from which every deeper place is a re-indentation
  if (!done || indent.length < done.indent.length) recurring.set(value, { indent, text });
  return text;
}

/** The document as the `yaml` library writes it with no line folding and no anchors; fast for plain data. */
export function toYaml(value: unknown): string {
  return stringifyYaml(value) ?? new Document(value, { aliasDuplicateObjects: false }).toString({ lineWidth: 0 });
}

/** The document's text, or undefined when `value` is not a map or list of plain data. */
export function stringifyYaml(value: unknown): string | undefined {
  // a top-level scalar has rules of its own (no indentation to lean on): leave it to the library
  if (value === null || typeof value !== 'object') return undefined;
  // pieces joined once at the end: one flat string, not a deep rope of concatenations
  const out: string[] = [];
  try {
    write(value, '', out);
  } catch (error) {
    if (error instanceof NotPlainData || error instanceof RangeError) return undefined; // RangeError: a cycle
    throw error;
  }
  out.push('\n');
  return out.join('');
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A value at a position whose own lines start at `indent` (the library's ctx.indent for collections). */
function write(value: unknown, indent: string, out: string[]): void {
  if (value === null) out.push('null');
  else if (typeof value === 'string') out.push(stringifyString(value, { indent, implicitKey: false }));
  else if (typeof value === 'number') out.push(stringifyNumber(value));
  else if (typeof value === 'boolean') out.push(value ? 'true' : 'false');
  else if (typeof value !== 'object') throw new NotPlainData();
  else if (recurring.has(value)) out.push(recurringText(value, indent));
  else if (Array.isArray(value)) sequence(value, indent, out);
  else if (isPlainObject(value)) mapping(value, indent, out);
  else throw new NotPlainData();
}

/** stringifyBlockCollection with the `- ` prefix; an empty list is `[]`. */
function sequence(items: readonly unknown[], indent: string, out: string[]): void {
  if (items.length === 0) {
    out.push('[]');
    return;
  }
  const itemIndent = indent + STEP;
  const newline = `\n${indent}- `;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined) throw new NotPlainData(); // the library writes it as an empty node
    out.push(i === 0 ? '- ' : newline);
    write(item, itemIndent, out);
  }
}

/** stringifyBlockCollection of pairs (stringifyPair); undefined values are left out, as the library does. */
function mapping(object: Record<string, unknown>, indent: string, out: string[]): void {
  const inner = indent + STEP;
  const newline = `\n${indent}`;
  const keyCtx: Ctx = { indent: inner, implicitKey: true };
  let first = true;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const value = object[key];
    if (value === undefined) continue;
    const keyText = stringifyString(key, keyCtx);
    // over 1024 characters the library writes an explicit `? key`
    if (keyText.length > 1024) throw new NotPlainData();
    if (!first) out.push(newline);
    first = false;
    out.push(keyText);
    // a non-empty collection starts on the next line; scalars and `[]`/`{}` stay on the key's
    out.push(value !== null && typeof value === 'object' && !isEmpty(value) ? `:\n${inner}` : ': ');
    write(value, inner, out);
  }
  if (first) out.push('{}');
}

function isEmpty(value: object): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (!isPlainObject(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key) && value[key] !== undefined) return false;
  return true;
}

function stringifyNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? '.nan' : value < 0 ? '-.inf' : '.inf';
  return Object.is(value, -0) ? '-0' : JSON.stringify(value);
}

// The core schema's tags other than str (null, bool, int, float): a plain scalar matching one is not a string.
const NOT_A_STRING = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
const containsDocumentMarker = (text: string) => DOCUMENT_MARKER.test(text);
// A simple line (letters, digits, PromQL and path punctuation) is plain unless a core tag reads it: the
// common case, decided without the general rules below.
const SIMPLE = /^[A-Za-z_/$(][\w$ .,/(){}[\]=~"'+*<>!|@^;-]*$/;

/**
 * A one-line scalar is written the same wherever it stands (a document marker aside), and the same label
 * values, keys and expressions recur through the bundle: remember them.
 */
const oneLine = new Map<string, string>();

/** stringifyString with type unset: double quotes for control characters, else the plain rules. */
function stringifyString(value: string, ctx: Ctx): string {
  const known = oneLine.get(value);
  if (known !== undefined) return known;
  if (SIMPLE.test(value) && !/[:#]|\s$/.test(value) && !NOT_A_STRING.some((test) => test.test(value))) return remember(value, value);
  const text = CONTROL.test(value) ? doubleQuotedString(value, ctx) : plainString(value, ctx);
  return value.includes('\n') || containsDocumentMarker(value) ? text : remember(value, text);
}

function remember(value: string, text: string): string {
  if (value.length > 256) return text; // a dashboard's JSON in a ConfigMap: long, and seen once
  if (oneLine.size >= 20_000) oneLine.clear();
  oneLine.set(value, text);
  return text;
}

function plainString(value: string, ctx: Ctx): string {
  const { implicitKey, indent } = ctx;
  if (implicitKey && value.includes('\n')) return quotedString(value, ctx);
  if (NOT_PLAIN.test(value)) return implicitKey || !value.includes('\n') ? quotedString(value, ctx) : blockString(value, ctx);
  // multi-line strings prefer a block scalar
  if (!implicitKey && value.includes('\n')) return blockString(value, ctx);
  // indent is never '' here: the document is a map or a list, so every scalar sits at least one step in
  if (containsDocumentMarker(value) && implicitKey && indent === STEP) return quotedString(value, ctx);
  const text = value.replace(/\n+/g, `$&\n${indent}`);
  if (NOT_A_STRING.some((test) => test.test(text))) return quotedString(value, ctx);
  return text;
}

function quotedString(value: string, ctx: Ctx): string {
  const hasDouble = value.includes('"');
  const hasSingle = value.includes("'");
  return hasDouble && !hasSingle ? singleQuotedString(value, ctx) : doubleQuotedString(value, ctx);
}

function singleQuotedString(value: string, ctx: Ctx): string {
  if ((ctx.implicitKey && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) return doubleQuotedString(value, ctx);
  const indent = ctx.indent || (containsDocumentMarker(value) ? STEP : '');
  return `'${value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`)}'`;
}

const DOUBLE_QUOTED_MIN_MULTI_LINE_LENGTH = 40;

/** The library's loop over the JSON text, jumping from one escape to the next (dashboards are long). */
function doubleQuotedString(value: string, ctx: Ctx): string {
  const json = JSON.stringify(value);
  const { implicitKey } = ctx;
  const indent = ctx.indent || (containsDocumentMarker(value) ? STEP : '');
  let str = '';
  let start = 0;
  for (let i = json.indexOf('\\'); i !== -1; ) {
    // a space before a newline is escaped so that it is not folded
    if (json[i - 1] === ' ' && json[i + 1] === 'n') {
      str += `${json.slice(start, i - 1)}\\ `;
      start = i;
    }
    let next = i + 2; // past the escaped character
    switch (json[i + 1]) {
      case 'u': {
        str += json.slice(start, i);
        const code = json.substr(i + 2, 4);
        str += UNICODE_ESCAPES[code] ?? (code.startsWith('00') ? `\\x${code.substr(2)}` : json.substr(i, 6));
        next = start = i + 6;
        break;
      }
      case 'n':
        if (implicitKey || json[i + 2] === '"' || json.length < DOUBLE_QUOTED_MIN_MULTI_LINE_LENGTH) break;
        // folding will eat the first newline
        str += `${json.slice(start, i)}\n\n`;
        while (json[i + 2] === '\\' && json[i + 3] === 'n' && json[i + 4] !== '"') {
          str += '\n';
          i += 2;
        }
        str += indent;
        // a space after a newline is escaped so that it is not folded
        if (json[i + 2] === ' ') str += '\\';
        next = start = i + 2;
        break;
    }
    i = json.indexOf('\\', next);
  }
  return start ? str + json.slice(start) : json;
}

const UNICODE_ESCAPES: Readonly<Record<string, string>> = {
  '0000': '\\0',
  '0007': '\\a',
  '000b': '\\v',
  '001b': '\\e',
  '0085': '\\N',
  '00a0': '\\_',
  '2028': '\\L',
  '2029': '\\P',
};

const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;

/** A literal block scalar (`|`, `|-`, `|+`): with no line width the library never folds. */
function blockString(input: string, ctx: Ctx): string {
  // A block can't end in whitespace unless the last line is non-empty.
  if (/\n[\t ]+$/.test(input)) return quotedString(input, ctx);
  let value = input;
  const indent = ctx.indent || (containsDocumentMarker(value) ? STEP : '');
  // chomping from the whitespace at the end
  let endStart = value.length;
  for (; endStart > 0; --endStart) {
    const ch = value[endStart - 1];
    if (ch !== '\n' && ch !== '\t' && ch !== ' ') break;
  }
  let end = value.substring(endStart);
  const endNlPos = end.indexOf('\n');
  const chomp = endNlPos === -1 ? '-' : value === end || endNlPos !== end.length - 1 ? '+' : '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end.endsWith('\n')) end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  // indentation indicator from the whitespace at the start
  let startWithSpace = false;
  let startEnd = 0;
  let startNlPos = -1;
  for (; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNlPos = startEnd;
    else break;
  }
  let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const header = (startWithSpace ? (indent ? '2' : '1') : '') + chomp;
  return `|${header}\n${indent}${start}${value.replace(/\n+/g, `$&${indent}`)}${end}`;
}
