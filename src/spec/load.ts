import { existsSync, readFileSync } from 'node:fs';
import { extname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import { LineCounter, parseAllDocuments, isNode, type Document } from 'yaml';
import type { ConfigDocument } from '../model/resolve.js';
import { ConfigError, type FieldPath, fromZodIssues, type Locator } from './errors.js';
import { openSloImporter } from './import/openslo.js';
import { slothImporter } from './import/sloth.js';
import type { SourceDocument, SpecImporter } from './import/types.js';
import { configSpec, type ValidConfig } from './schema.js';

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
    if (!existsSync(path)) throw new ConfigError(given, [{ path: [], message: 'file not found' }]);
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
  if (['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].includes(ext)) {
    const data = await importModule(path, source);
    return { source, format: 'obs', documents: [{ ...validate(source, data), native: true }] };
  }
  if (['.yaml', '.yml', '.json'].includes(ext)) return loadYaml(path, source);
  throw new ConfigError(source, [{ path: [], message: `unsupported file type "${ext}"; use .ts, .js, .yaml, .yml or .json` }]);
}

/** `import { defineConfig } from 'obs'` in a config resolves to this very copy of obs. */
const OBS_ENTRY = fileURLToPath(new URL(`../index${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

async function importModule(path: string, source: string): Promise<unknown> {
  const jiti = createJiti(import.meta.url, { alias: { obs: OBS_ENTRY }, moduleCache: false, fsCache: false });
  let module: unknown;
  try {
    module = await jiti.import(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError(source, [{ path: [], message: `could not load the config: ${reason}` }]);
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
  const docs = parseAllDocuments(readFileSync(path, 'utf8'), { lineCounter, prettyErrors: false });
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
      documents: result.configs.map(({ config, document }) => validate(source, config, document)),
    };
  }
  if (documents.length > 1) {
    throw new ConfigError(source, [{ path: [], message: 'an obs config is a single YAML document (multi-document files are for Sloth specs)' }]);
  }
  return { source, format: 'obs', documents: [{ ...validate(source, documents[0]!.data, undefined, locate), native: true }], locate };
}

function validate(source: string, data: unknown, document?: number, locate?: Locator): ConfigDocument {
  const parsed = configSpec.safeParse(data);
  if (!parsed.success) throw new ConfigError(source, fromZodIssues(configSpec, parsed.error, data, document), locate);
  return { config: parsed.data as ValidConfig, ...(document !== undefined && { document }) };
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
