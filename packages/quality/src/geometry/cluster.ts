import type { ShapeSimilarity } from './matching';

/** One annotator's shapes on one item (possibly none: "I see no object"). */
export interface ShapeAnnotation<T> {
  annotator: string;
  shapes: readonly T[];
}

/** A shape in a cluster: indices into the annotations and into that annotation's shapes. */
export interface ClusterMember {
  annotation: number;
  shape: number;
}

/** Options for grouping annotators' shapes into objects. */
export interface ShapeClusterOptions<T> {
  /** Smallest similarity between two groups for them to merge (and never 0). Default 0.5. */
  threshold?: number;
  /**
   * A group's representative shape (e.g. its weighted mean box). When given, groups are compared
   * by the similarity of their representatives (centroid linkage) instead of the mean over their
   * cross pairs (average linkage). The representative of one shape must be that shape.
   */
  centre?: (members: readonly ClusterMember[]) => T;
}

/**
 * Groups several annotators' shapes on one item into objects: agglomerative clustering (the two
 * groups most alike merge, while their similarity reaches the threshold; see `centre` for how
 * groups are compared) under the constraint that an object holds at most one shape per
 * annotator. Every shape ends in exactly one cluster (singletons included). Clusters come
 * ordered by their first member; ties are broken by input order, so callers who need order-free
 * results sort their input first. Sparse: only pairs with similarity > 0 are kept, so it scales
 * with overlapping pairs, after the n² similarity calls.
 */
export function clusterShapes<T>(
  annotations: readonly ShapeAnnotation<T>[],
  similarity: ShapeSimilarity<T>,
  options: ShapeClusterOptions<T> = {},
): ClusterMember[][] {
  const threshold = options.threshold ?? 0.5;
  const shapes: T[] = [];
  const owner: number[] = [];
  const members: ClusterMember[] = [];
  const seen = new Set<string>();
  annotations.forEach((annotation, a) => {
    if (seen.has(annotation.annotator))
      throw new RangeError(`annotator "${annotation.annotator}" appears twice on one item`);
    seen.add(annotation.annotator);
    annotation.shapes.forEach((shape, s) => {
      shapes.push(shape);
      owner.push(a);
      members.push({ annotation: a, shape: s });
    });
  });
  const n = shapes.length;
  const groups: number[][] = members.map((_, i) => [i]);
  // Each cluster's annotators as a bit set of `words` 32-bit words.
  const words = Math.max(1, Math.ceil(annotations.length / 32));
  const annotatorsOf = new Uint32Array(n * words);
  owner.forEach((a, i) => (annotatorsOf[i * words + (a >>> 5)] = 1 << (a & 31)));
  // links[c] maps a neighbouring cluster to the sum of similarities over their cross pairs.
  const links: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  const version = new Int32Array(n);
  const centres = options.centre ? shapes.slice() : undefined;
  const heap = new CandidateHeap();
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      if (owner[i] === owner[j]) continue;
      const score = similarity(shapes[i]!, shapes[j]!);
      if (!(score > 0)) continue;
      links[i]!.set(j, score);
      links[j]!.set(i, score);
      if (score >= threshold)
        heap.push({ score, first: i, second: j, firstVersion: 0, secondVersion: 0 });
    }
  const isDisjoint = (c: number, d: number) => {
    for (let w = 0; w < words; w++)
      if ((annotatorsOf[c * words + w]! & annotatorsOf[d * words + w]!) !== 0) return false;
    return true;
  };
  for (let candidate = heap.pop(); candidate; candidate = heap.pop()) {
    const { first: c, second: d } = candidate;
    if (groups[c]!.length === 0 || groups[d]!.length === 0) continue;
    if (candidate.firstVersion !== version[c] || candidate.secondVersion !== version[d]) continue;
    if (!isDisjoint(c, d)) continue;
    // Merge d into c (members kept in input order, so representatives are order-free).
    groups[c]!.push(...groups[d]!);
    groups[c]!.sort((p, q) => p - q);
    groups[d] = [];
    for (let w = 0; w < words; w++)
      annotatorsOf[c * words + w] = annotatorsOf[c * words + w]! | annotatorsOf[d * words + w]!;
    version[c] = version[c]! + 1;
    const into = links[c]!;
    into.delete(d);
    for (const [x, sum] of links[d]!) {
      if (x === c) continue;
      const total = (into.get(x) ?? 0) + sum;
      into.set(x, total);
      links[x]!.delete(d);
      links[x]!.set(c, total);
    }
    links[d]!.clear();
    if (centres) centres[c] = options.centre!(groups[c]!.map((i) => members[i]!));
    for (const [x, sum] of into) {
      const score = centres
        ? similarity(centres[c]!, centres[x]!)
        : sum / (groups[c]!.length * groups[x]!.length);
      if (score < threshold || !isDisjoint(c, x)) continue;
      const first = Math.min(c, x);
      const second = Math.max(c, x);
      heap.push({
        score,
        first,
        second,
        firstVersion: version[first]!,
        secondVersion: version[second]!,
      });
    }
  }
  return groups
    .filter((group) => group.length > 0)
    .map((group) => group.map((i) => members[i]!))
    .sort((p, q) => p[0]!.annotation - q[0]!.annotation || p[0]!.shape - q[0]!.shape);
}

interface Candidate {
  score: number;
  first: number;
  second: number;
  /** The two clusters' merge counts when scored: a later merge makes the candidate stale. */
  firstVersion: number;
  secondVersion: number;
}

/** Max-heap of merge candidates: highest score first, then lowest indices (deterministic). */
class CandidateHeap {
  private readonly items: Candidate[] = [];

  push(candidate: Candidate): void {
    const items = this.items;
    items.push(candidate);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      const swapped = items[i]!;
      items[i] = items[parent]!;
      items[parent] = swapped;
      i = parent;
    }
  }

  pop(): Candidate | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || !last) return top;
    items[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < items.length && before(items[left]!, items[best]!)) best = left;
      if (right < items.length && before(items[right]!, items[best]!)) best = right;
      if (best === i) break;
      const swapped = items[i]!;
      items[i] = items[best]!;
      items[best] = swapped;
      i = best;
    }
    return top;
  }
}

function before(a: Candidate, b: Candidate): boolean {
  return (
    a.score > b.score || (a.score === b.score && (a.first - b.first || a.second - b.second) < 0)
  );
}
