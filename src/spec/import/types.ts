import type { ConfigIssue } from '../errors.js';
import type { ObsConfig } from '../schema.js';

/** One parsed YAML document of an input file, with its index for error locations. */
export interface SourceDocument {
  readonly data: unknown;
  readonly index: number;
}

/**
 * The result of importing a peer's spec: our own config documents (one per service), or the problems
 * found, with field paths in the *peer's* format (so users see their own field names).
 */
export type ImportResult =
  | { readonly ok: true; readonly configs: readonly { config: ObsConfig; document: number }[] }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

export interface SpecImporter {
  /** Short name shown to users: "sloth", "openslo". */
  readonly format: string;
  /** True when this document is in the importer's format (decided from version/apiVersion). */
  detect(document: unknown): boolean;
  import(documents: readonly SourceDocument[]): ImportResult;
}
