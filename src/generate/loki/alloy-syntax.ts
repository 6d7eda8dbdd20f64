/**
 * A small typed model of the Alloy configuration syntax (blocks, attributes, expressions) and its
 * printer. Component builders in alloy.ts fill it with the argument names of Alloy's component
 * reference; this file only knows the syntax.
 */

/** A reference to another component's export, printed bare: `loki.write.default.receiver`. */
export class AlloyRef {
  constructor(readonly path: string) {}
}

export type AlloyValue = string | number | boolean | AlloyRef | readonly AlloyValue[] | { readonly [key: string]: AlloyValue };

export interface AlloyBlock {
  /** `discovery.docker`, `rule`, `stage.json`. */
  readonly name: string;
  /** Component label: `discovery.docker "containers"`; absent for nested blocks. */
  readonly label?: string;
  readonly attributes: readonly (readonly [string, AlloyValue])[];
  readonly blocks: readonly AlloyBlock[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A double-quoted Alloy string (Go escaping rules). */
export function alloyString(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function value(v: AlloyValue, indent: string): string {
  if (v instanceof AlloyRef) return v.path;
  if (typeof v === 'string') return alloyString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${(v as readonly AlloyValue[]).map((item) => value(item, indent)).join(', ')}]`;
  const entries = Object.entries(v as Record<string, AlloyValue>);
  if (entries.length === 0) return '{}';
  const inner = `${indent}  `;
  const width = Math.max(...entries.map(([k]) => key(k).length));
  return `{\n${entries.map(([k, item]) => `${inner}${key(k).padEnd(width)} = ${value(item, inner)},`).join('\n')}\n${indent}}`;
}

function key(name: string): string {
  return IDENTIFIER.test(name) ? name : alloyString(name);
}

export function printBlock(block: AlloyBlock, indent = ''): string {
  const inner = `${indent}  `;
  const head = `${indent}${block.name}${block.label !== undefined ? ` ${alloyString(block.label)}` : ''} {`;
  const width = Math.max(0, ...block.attributes.map(([k]) => k.length));
  const lines = [
    ...block.attributes.map(([k, v]) => `${inner}${k.padEnd(width)} = ${value(v, inner)}`),
    // a blank line between the attributes and each nested block, none right after the opening brace
    ...block.blocks.map((b, i) => `${i > 0 || block.attributes.length > 0 ? '\n' : ''}${printBlock(b, inner)}`),
  ];
  return `${head}\n${lines.join('\n')}\n${indent}}`;
}

export function printAlloy(blocks: readonly AlloyBlock[], header: string): string {
  return `${header}${blocks.map((b) => printBlock(b)).join('\n\n')}\n`;
}
