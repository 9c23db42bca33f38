// Counts per label set, kept as plain numbers on the hot path and handed to prom-client when Prometheus scrapes:
// prom-client's own inc() and observe() validate and hash their label object on every call (~0.85 µs each on Bun
// 1.4, measured with 1M calls), and a request would make several.
//
// A label set is a path of nested maps, one level per label, not a joined string: a joined key is a new string per
// request, copied and hashed whole at every lookup (3 µs of CPU per request under load over the five lookups a request
// makes, bench/RESULTS.md, eighth round), where the labels themselves are config ids hashed once, enums, and the
// model name, hashed once per request and cached on the string.

/** Separates the parts of a usage line's id (usage.ts, shared-usage.ts); no label value holds it. */
export const SEP = "\u0000";

/** One label's value: an id, enum, model name or status. */
export type LabelValue = string | number;

/** Label sets of one to five labels (`depth`), each with its cell. */
class LabelTree<Cell> {
  private readonly root = new Map<LabelValue, unknown>();

  constructor(
    private readonly depth: number,
    private readonly newCell: () => Cell,
  ) {}

  /** The label values past `depth` are ignored. */
  cell(a: LabelValue, b: LabelValue = "", c: LabelValue = "", d: LabelValue = "", e: LabelValue = ""): Cell {
    const depth = this.depth;
    let map = this.root;
    if (depth > 1) map = level(map, a);
    if (depth > 2) map = level(map, b);
    if (depth > 3) map = level(map, c);
    if (depth > 4) map = level(map, d);
    const last = depth === 1 ? a : depth === 2 ? b : depth === 3 ? c : depth === 4 ? d : e;
    let cell = map.get(last) as Cell | undefined;
    if (cell === undefined) {
      cell = this.newCell();
      map.set(last, cell);
    }
    return cell;
  }

  /** Every label set with its cell, as the label names' values. */
  *entries(names: readonly string[]): Iterable<[Record<string, string>, Cell]> {
    for (const [path, cell] of walk(this.root, [], this.depth)) {
      const labels: Record<string, string> = {};
      names.forEach((name, index) => {
        labels[name] = String(path[index] ?? "");
      });
      yield [labels, cell as Cell];
    }
  }
}

function level(map: Map<LabelValue, unknown>, key: LabelValue): Map<LabelValue, unknown> {
  let next = map.get(key) as Map<LabelValue, unknown> | undefined;
  if (next === undefined) {
    next = new Map();
    map.set(key, next);
  }
  return next;
}

function* walk(
  map: Map<LabelValue, unknown>,
  path: LabelValue[],
  depth: number,
): Iterable<[LabelValue[], unknown]> {
  for (const [key, value] of map) {
    if (depth === 1) yield [[...path, key], value];
    else yield* walk(value as Map<LabelValue, unknown>, [...path, key], depth - 1);
  }
}

/** A counter's value per label set. */
export class Tally {
  private readonly tree: LabelTree<{ count: number }>;

  /** `labels`: how many label values each count has. */
  constructor(labels: number) {
    this.tree = new LabelTree(labels, () => ({ count: 0 }));
  }

  /** The label values in the order of the metric's label names. */
  add(a: LabelValue, b?: LabelValue, c?: LabelValue, d?: LabelValue, e?: LabelValue): void {
    this.tree.cell(a, b, c, d, e).count += 1;
  }

  *entries(names: readonly string[]): Iterable<[Record<string, string>, number]> {
    for (const [labels, cell] of this.tree.entries(names)) yield [labels, cell.count];
  }
}

/** One label set's histogram: a count per bucket (not cumulative; the last counts what is above every bound). */
export interface Buckets {
  counts: Float64Array;
  sum: number;
  count: number;
}

/** A histogram's observations per label set, bucketed as plain numbers. */
export class HistogramTally {
  private readonly tree: LabelTree<Buckets>;

  /** `labels`: how many label values each series has (one or two); `bounds` ascending, as prom-client's `buckets`. */
  constructor(
    labels: number,
    readonly bounds: readonly number[],
  ) {
    this.tree = new LabelTree(labels, () => ({
      counts: new Float64Array(bounds.length + 1),
      sum: 0,
      count: 0,
    }));
  }

  /** `value` for the label set given after it, in the order of the metric's label names. */
  observe(value: number, a: LabelValue, b?: LabelValue): void {
    const series = this.tree.cell(a, b);
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] as number)) index += 1;
    series.counts[index] = (series.counts[index] as number) + 1;
    series.sum += value;
    series.count += 1;
  }

  entries(names: readonly string[]): Iterable<[Record<string, string>, Buckets]> {
    return this.tree.entries(names);
  }
}
