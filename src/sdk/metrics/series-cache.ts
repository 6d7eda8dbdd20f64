/**
 * Series indexes by *raw* label values, one level per label, so a combination seen before costs one
 * lookup per label and allocates nothing (joining the values into one key per observation was the main
 * cost of recording an HTTP request). Most levels hold a single key (one error_type per status, one
 * status per route for most routes), so a level starts as a `{ key, next }` pair (about 40 bytes) and
 * becomes a Map (about 190) only when a second key arrives.
 */
type Node = number | Level;
type Level = Map<unknown, Node> | Single;
interface Single {
  readonly key: unknown;
  readonly next: Node;
}

function step(level: Level, key: unknown): Node | undefined {
  if (level instanceof Map) return level.get(key);
  return level.key === key ? level.next : undefined;
}

export class SeriesCache {
  private root: Level | undefined;
  /** The series of a metric without labels. */
  private unlabelled: number | undefined;

  get(raw: readonly unknown[]): number | undefined {
    if (raw.length === 0) return this.unlabelled;
    let node: Node | undefined = this.root;
    for (let i = 0; i < raw.length; i++) {
      if (node === undefined || typeof node === 'number') return undefined;
      node = step(node, raw[i]);
    }
    return typeof node === 'number' ? node : undefined;
  }

  set(raw: readonly unknown[], series: number): void {
    if (raw.length === 0) this.unlabelled = series;
    else this.root = insert(this.root, raw, 0, series);
  }

  clear(): void {
    this.root = undefined;
    this.unlabelled = undefined;
  }
}

/** The level for raw[i..] with the series added (a new pair, or the same level grown). */
function insert(level: Level | undefined, raw: readonly unknown[], i: number, series: number): Level {
  const key = raw[i];
  const below = (existing: Node | undefined): Node =>
    i === raw.length - 1 ? series : insert(typeof existing === 'object' ? existing : undefined, raw, i + 1, series);
  if (level === undefined) return { key, next: below(undefined) };
  if (level instanceof Map) {
    level.set(key, below(level.get(key)));
    return level;
  }
  if (level.key === key) return { key, next: below(level.next) };
  return new Map<unknown, Node>([
    [level.key, level.next],
    [key, below(undefined)],
  ]);
}
