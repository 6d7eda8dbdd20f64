/** A file of the bundle before serialisation: a path under the output directory and a plain object. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: unknown;
  /** Things the user should know about this file (e.g. an SLO left without unit tests). */
  readonly warnings?: readonly string[];
}
