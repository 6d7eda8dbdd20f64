import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseAllDocuments, isNode, type Document } from 'yaml';
import type { ConfigDocument } from '../model/resolve.js';
import { cap, ConfigError, type ConfigIssue, type FieldPath, fromZodIssues, type Locator } from './errors.js';
import { openSloImporter } from './import/openslo.js';
import { slothImporter } from './import/sloth.js';
import type { SourceDocument, SpecImporter } from './import/types.js';
import { configSpec, type ValidConfig } from './schema.js';
import { readTsSource } from './ts-source.js';
import { queryIssues } from './validate.js';

/** Looked for, in order, when no --config is given. */
export const DEFAULT_CONFIG_FILES = ['obs.config.ts', 'obs.config.mts', 'obs.config.js', 'obs.config.mjs', 'obs.config.yaml', 'obs.config.yml'];

const IMPORTERS: readonly SpecImporter[] = [slothImporter, openSloImporter];

export interface LoadedConfig {
  /** The file as shown to users: relative to the working directory. */
  readonly source: string;
  /** "obs", "sloth" or "openslo". */
  readonly format: string;
  readonly documents: readonly ConfigDocument[];
  readonly locate?: Locator;
}

/** Finds the config file: the given one, or the first default present in `cwd`. */
export function findConfigFile(cwd: string, given?: string): string {
  if (given) {
    const path = resolve(cwd, given);
    if (!existsSync(path)) throw new ConfigError(cap(given), [{ path: [], message: 'file not found' }]);
    if (statSync(path).isDirectory()) {
      const inside = DEFAULT_CONFIG_FILES.find((f) => existsSync(join(path, f)));
      const hint = inside ? `; did you mean --config ${join(given, inside)}?` : ` (${DEFAULT_CONFIG_FILES.join(', ')}, or a Sloth or OpenSLO spec)`;
      throw new ConfigError(cap(given), [{ path: [], message: `is a directory; --config takes the config file${hint}` }]);
    }
    return path;
  }
  const found = DEFAULT_CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
  if (!found) {
    throw new ConfigError(DEFAULT_CONFIG_FILES[0]!, [
      { path: [], message: `no config found (looked for ${DEFAULT_CONFIG_FILES.join(', ')}); run \`obs init\` or pass --config FILE` },
    ]);
  }
  return found;
}

/** Reads and validates a config: TS/JS via jiti, YAML/JSON (ours, Sloth's or OpenSLO's) via yaml. */
export async function loadConfig(path: string, cwd = process.cwd()): Promise<LoadedConfig> {
  const source = relative(cwd, path).split('\\').join('/') || path;
  const ext = extname(path).toLowerCase();
  if (['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].includes(ext)) return loadModule(path, source, cwd);
  if (['.yaml', '.yml', '.json'].includes(ext)) return loadYaml(path, source);
  const what = ext ? `unsupported file type "${cap(ext)}"` : 'has no file extension, so its format is unknown';
  throw new ConfigError(source, [{ path: [], message: `${what}; use .ts, .js, .yaml, .yml or .json` }]);
}

/** A TS/JS config: its source is read for syntax errors and duplicated keys before it is run. */
async function loadModule(path: string, source: string, cwd: string): Promise<LoadedConfig> {
  const parsed = await readTsSource(path, readFileSync(path, 'utf8'));
  if (parsed && parsed.issues.length > 0) throw new ConfigError(source, parsed.issues, parsed.locate);
  const data = await importModule(path, source, cwd);
  const locate = parsed?.locate;
  const document = { ...validate(source, data, { obs: true, ...(locate && { locate }) }), native: true };
  return { source, format: 'obs', documents: [document], ...(locate && { locate }) };
}

/** `import { defineConfig } from 'obs'` in a config resolves to this very copy of obs. */
const OBS_ENTRY = fileURLToPath(new URL(`../index${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

async function importModule(path: string, source: string, cwd: string): Promise<unknown> {
  // Loaded only for TS/JS configs. jiti's file cache (keyed by content) spares the transpiler on reruns.
  const { createJiti } = await import('jiti');
  const jiti = createJiti(import.meta.url, { alias: { obs: OBS_ENTRY }, moduleCache: false });
  let module: unknown;
  try {
    module = await jiti.import(path);
  } catch (error) {
    throw new ConfigError(source, [loadFailure(error, path, cwd)]);
  }
  // jiti's interop answers `.default` with the module itself; only a real default export counts.
  const exported = module !== null && typeof module === 'object' && 'default' in module ? module.default : undefined;
  if (exported === undefined || typeof exported !== 'object' || exported === null) {
    throw new ConfigError(source, [{ path: [], message: 'must export the config as default: `export default defineConfig({...})`' }]);
  }
  return exported;
}

function loadYaml(path: string, source: string): LoadedConfig {
  const lineCounter = new LineCounter();
  const text = readFileSync(path, 'utf8');
  if (text.includes('\u0000')) {
    throw new ConfigError(source, [{ path: [], message: 'is not a text file; --config takes an obs config (TS, YAML or JSON), or a Sloth or OpenSLO spec' }]);
  }
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const list: Document[] = Array.isArray(docs) ? docs : [docs as unknown as Document];
  const locate = yamlLocator(list, lineCounter);
  const syntax = list.flatMap((doc) => doc.errors)[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    throw new ConfigError(source, [{ path: [], line, message: `YAML syntax error: ${syntax.message.split('\n')[0]}` }]);
  }
  const documents: SourceDocument[] = list
    .map((doc, index) => ({ data: doc.toJS() as unknown, index }))
    .filter((d) => d.data !== null && d.data !== undefined);
  if (documents.length === 0) throw new ConfigError(source, [{ path: [], message: 'the file is empty' }]);

  const importer = IMPORTERS.find((i) => i.detect(documents[0]!.data));
  if (importer) {
    const result = importer.import(documents);
    if (!result.ok) throw new ConfigError(source, result.issues, locate);
    // Our own validation runs on the converted config as a second guard; its paths are ours.
    return {
      source,
      format: importer.format,
      documents: result.configs.map(({ config, document }) => validate(source, config, { document })),
    };
  }
  if (documents.length > 1) {
    throw new ConfigError(source, [{ path: [], message: 'an obs config is a single YAML document (multi-document files are for Sloth specs)' }]);
  }
  return { source, format: 'obs', documents: [{ ...validate(source, documents[0]!.data, { locate, obs: true }), native: true }], locate };
}

/**
 * Why running the config failed, located: a syntax error in a file it imports (jiti names it), or
 * where the config threw (the innermost stack frame in the config itself).
 */
function loadFailure(error: unknown, path: string, cwd: string): ConfigIssue {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = cap(message.split('\n')[0]!.trim());
  const parseError = /^ParseError: (.*?)\s*\n\s*(\S+):(\d+):(\d+)\s*$/s.exec(message);
  if (parseError) {
    const file = relative(cwd, parseError[2]!) || parseError[2]!;
    return { path: [], message: `could not load the config: syntax error in ${file}:${parseError[3]}:${parseError[4]}: ${cap(parseError[1]!)}` };
  }
  const line = error instanceof Error ? stackLine(error.stack ?? '', path) : undefined;
  if (line === undefined) return { path: [], message: `could not load the config: ${firstLine}` };
  const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
  return { path: [], line, message: `the config threw an error while loading: ${name}${firstLine}` };
}

/** The line of the innermost stack frame in `file`. */
function stackLine(stack: string, file: string): number | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const at = line.lastIndexOf(`${file}:`);
    if (at === -1) continue;
    const match = /^:(\d+):\d+/.exec(line.slice(at + file.length));
    if (match) return Number(match[1]);
  }
  return undefined;
}

function validate(source: string, data: unknown, options: { document?: number; locate?: Locator; obs?: boolean } = {}): ConfigDocument {
  const { document, locate } = options;
  const parsed = configSpec.safeParse(data);
  if (!parsed.success) throw new ConfigError(source, fromZodIssues(configSpec, parsed.error, data, document), locate);
  const config = parsed.data as ValidConfig;
  // Imported specs had their queries checked by their importer, in their own terms.
  const issues = options.obs ? queryIssues(config, document) : [];
  if (issues.length > 0) throw new ConfigError(source, issues, locate);
  return { config, ...(document !== undefined && { document }) };
}

/** Line of the deepest node that exists along a field path (a missing field points at its parent). */
function yamlLocator(docs: readonly Document[], lines: LineCounter): Locator {
  return (path: FieldPath, document = 0) => {
    const doc = docs[document];
    if (!doc) return undefined;
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
}
