/**
 * YAML text for the SLO rule and promtool test files, written directly: their shape is plain (maps,
 * lists, strings, numbers) and the generic YAML library spent most of `obs generate`'s time on them at
 * a thousand SLOs. Keys keep their order; multi-line strings are literal blocks (`|-`); strings that YAML
 * could misread are JSON strings, which YAML reads as double-quoted scalars.
 */
type Value = string | number | boolean | readonly Value[] | { readonly [key: string]: Value | undefined };

export function yamlText(value: Value): string {
  const out: string[] = [];
  block(value, 0, out);
  return `${out.join('\n')}\n`;
}

/** Writes a map or list at `indent`; `first` replaces the indentation of its first line (a list dash). */
function block(value: Value, indent: number, out: string[], first?: string): void {
  const pad = ' '.repeat(indent);
  let lead = first ?? pad;
  if (Array.isArray(value)) {
    for (const item of value as readonly Value[]) {
      if (isMap(item) && Object.keys(item).length > 0) block(item, indent + 2, out, `${lead}- `);
      else out.push(`${lead}- ${inline(item, indent + 2)}`);
      lead = pad;
    }
    return;
  }
  for (const [key, item] of Object.entries(value as { [key: string]: Value | undefined })) {
    if (item === undefined) continue;
    if ((Array.isArray(item) && item.length > 0) || (isMap(item) && Object.keys(item).length > 0)) {
      out.push(`${lead}${scalar(key)}:`);
      block(item, indent + 2, out);
    } else out.push(`${lead}${scalar(key)}: ${inline(item, indent + 2)}`);
    lead = pad;
  }
}

function isMap(value: Value): value is { readonly [key: string]: Value } {
  return typeof value === 'object' && !Array.isArray(value);
}

/** A value on the line of its key or dash: scalars, empty collections, and literal blocks. */
function inline(value: Value, indent: number): string {
  if (Array.isArray(value)) return '[]';
  if (isMap(value)) return '{}';
  if (typeof value !== 'string') return String(value);
  if (value.includes('\n') && /^[^\s]/.test(value) && !/[\r\t]|\s\n|\s$/.test(value)) {
    const pad = ' '.repeat(indent);
    return `|-\n${value.split('\n').map((line) => (line === '' ? '' : pad + line)).join('\n')}`;
  }
  return scalar(value);
}

const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
const NOT_A_STRING = /^(true|false|null|yes|no|on|off|y|n|~|[-+]?(\.\d+|\d+(\.\d*)?)([eE][-+]?\d+)?|0x[0-9a-f]+|0o[0-7]+|[-+]?\.(inf|nan))$/i;

/** Plain when YAML reads it back as the same string (most PromQL does); JSON-quoted otherwise. */
function scalar(text: string): string {
  const plain = text !== '' && !INDICATOR.test(text) && !/: |\s#|[:\s]$|[\n\r\t]/.test(text) && !NOT_A_STRING.test(text);
  return plain ? text : JSON.stringify(text);
}
