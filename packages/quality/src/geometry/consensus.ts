import { clusterShapes, type ClusterMember, type ShapeAnnotation } from './cluster';
import type { ShapeSimilarity } from './matching';

/** Annotator reliabilities, by annotator; one not listed weighs 1. */
export type Reliability = ReadonlyMap<string, number>;

/** Options of the consensus of several annotators' shapes on one item. */
export interface ShapeConsensusOptions<T> {
  /**
   * Similarity a shape must reach with a group (see clusterShapes) to join it; also the
   * similarity at which an annotator's shape counts as drawing a kept object. Default 0.5.
   */
  threshold?: number;
  /**
   * When given, keep exactly the objects whose support share reaches it (0.5: at least half of
   * the item's annotators drew it). Default: the agreement rule of shapeConsensus.
   */
  minSupport?: number;
  /** Weight of each annotator, >= 0. Default: all 1. */
  reliability?: Reliability;
  /** A shape's own confidence in [0, 1] (e.g. a model's score). Default 1. */
  confidence?: (shape: T) => number;
  /**
   * The fused shape of a group from its members and their weights (reliability × confidence),
   * e.g. the weighted mean box. Groups are then compared by their fused shapes (centroid
   * linkage); without it, by mean pairwise similarity, and an object's shape is its medoid member.
   */
  fuse?: (shapes: readonly T[], weights: readonly number[]) => T;
  /** A total order of shapes, making the result independent of the order shapes come in. */
  compare?: (a: T, b: T) => number;
}

/** A shape that went into an object: who drew it, its index among their shapes, its weight. */
export interface ConsensusMember<T> {
  annotator: string;
  index: number;
  shape: T;
  weight: number;
}

/** One object of a consensus. */
export interface ConsensusObject<T> {
  /** The fused shape (`fuse`), or the member most similar to the others in total. */
  shape: T;
  /** How many annotators drew it. */
  support: number;
  /** support / annotators of the item, in [0, 1]. */
  supportShare: number;
  /**
   * Weighted support: Σ over members of reliability × confidence, over Σ of the item's
   * annotators' reliabilities. In [0, 1]; equals supportShare with equal weights.
   */
  confidence: number;
  /** One per supporting annotator, in annotator order. */
  members: ConsensusMember<T>[];
}

/**
 * The objects several annotators agree on in one item. Their shapes are grouped with
 * clusterShapes (one shape per annotator per object), then groups are kept.
 *
 * By default the kept set is the one that agrees best with the annotators: the largest
 * reliability-weighted mean F1 against each annotator's own shapes (a member counts as a match).
 * It is the medoid taken over every set of objects rather than over the annotations drawn, and
 * needs no support threshold: an object is worth adding while its weighted support exceeds
 * roughly half the agreement reached so far (the F1-optimal rule), so when annotators agree
 * closely this is a majority vote, and when each of them skips objects (crowds do) objects seen
 * by fewer are kept.
 * With `minSupport` the plain rule applies instead.
 *
 * Objects come by confidence, then support, then first member. The result does not depend on
 * the order of annotators, nor on the order of their shapes when `compare` is given.
 */
export function shapeConsensus<T>(
  annotations: readonly ShapeAnnotation<T>[],
  similarity: ShapeSimilarity<T>,
  options: ShapeConsensusOptions<T> = {},
): ConsensusObject<T>[] {
  const threshold = options.threshold ?? 0.5;
  const { minSupport, reliability, fuse, compare } = options;
  if (!(threshold > 0 && threshold <= 1))
    throw new RangeError(`threshold must be in (0, 1], not ${threshold}`);
  if (minSupport !== undefined && !(minSupport >= 0 && minSupport <= 1))
    throw new RangeError(`minSupport must be in [0, 1], not ${minSupport}`);
  const canonical = canonicalOrder(annotations, compare);
  const weights = canonical.map(({ annotator }) => {
    const weight = reliability?.get(annotator) ?? 1;
    if (!(weight >= 0 && Number.isFinite(weight)))
      throw new RangeError(`reliability of "${annotator}" must be a number >= 0`);
    return weight;
  });
  // With every reliability 0 nothing could be weighed: fall back to equal weights.
  if (!weights.some((weight) => weight > 0)) weights.fill(1);
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  const shapeOf = ({ annotation, shape }: ClusterMember) =>
    canonical[annotation]!.shapes[shape]!.shape;
  const confidenceOf = options.confidence ?? (() => 1);
  for (const { annotator, shapes } of canonical)
    for (const { shape } of shapes) {
      const confidence = confidenceOf(shape);
      if (!(confidence >= 0 && confidence <= 1))
        throw new RangeError(`a shape of "${annotator}" has a confidence outside [0, 1]`);
    }
  const weightOf = (member: ClusterMember) =>
    weights[member.annotation]! * confidenceOf(shapeOf(member));
  const fused = fuse
    ? (members: readonly ClusterMember[]) => fuse(members.map(shapeOf), members.map(weightOf))
    : undefined;
  const clusters = clusterShapes(
    canonical.map(({ annotator, shapes }) => ({ annotator, shapes: shapes.map((s) => s.shape) })),
    similarity,
    { threshold, ...(fused ? { centre: fused } : {}) },
  );
  const annotators = canonical.length;
  const kept =
    minSupport === undefined
      ? mostAgreeing(
          clusters,
          weightOf,
          canonical.map(({ shapes }) => shapes.length),
          weights,
        )
      : // Compare counts, not shares, so half of 8 annotators is exactly 4 despite rounding.
        clusters.filter((cluster) => cluster.length >= minSupport * annotators - 1e-9);
  return kept
    .map((cluster, order) => {
      const memberWeights = cluster.map(weightOf);
      const weight = memberWeights.reduce((sum, w) => sum + w, 0);
      const object: ConsensusObject<T> = {
        shape: fused ? fused(cluster) : medoidShape(cluster.map(shapeOf), similarity),
        support: cluster.length,
        supportShare: annotators > 0 ? cluster.length / annotators : 0,
        confidence: Math.min(1, weight / totalWeight),
        members: cluster.map((member, i) => ({
          annotator: canonical[member.annotation]!.annotator,
          index: canonical[member.annotation]!.shapes[member.shape]!.index,
          shape: shapeOf(member),
          weight: memberWeights[i]!,
        })),
      };
      return { object, order };
    })
    .sort(
      (a, b) =>
        b.object.confidence - a.object.confidence ||
        b.object.support - a.object.support ||
        a.order - b.order,
    )
    .map(({ object }) => object);
}

/**
 * The clusters whose set has the largest weighted mean F1 against the annotators' shape sets, a
 * member counting as a match. For a set of m objects, annotator a's F1 is 2·(a's members) /
 * (m + a's shape count), so the best m-set is the m clusters with the largest Σ over members of
 * weight / (m + shape count); every m is tried (O(K² log K) for K clusters). Ties keep fewer.
 */
function mostAgreeing(
  clusters: readonly ClusterMember[][],
  weightOf: (member: ClusterMember) => number,
  shapeCounts: readonly number[],
  weights: readonly number[],
): ClusterMember[][] {
  // The empty set agrees only with annotators who drew nothing.
  let best = shapeCounts.reduce((sum, count, a) => sum + (count === 0 ? weights[a]! : 0), 0);
  let kept: number[] = [];
  const votes = clusters.map((cluster) =>
    cluster.map((member) => ({ weight: weightOf(member), count: shapeCounts[member.annotation]! })),
  );
  const scores = new Float64Array(clusters.length);
  const order = clusters.map((_, k) => k);
  for (let m = 1; m <= clusters.length; m++) {
    votes.forEach((cluster, k) => {
      let score = 0;
      for (const { weight, count } of cluster) score += weight / (m + count);
      scores[k] = 2 * score;
    });
    order.sort((p, q) => scores[q]! - scores[p]! || p - q);
    let value = 0;
    for (let i = 0; i < m; i++) value += scores[order[i]!]!;
    if (value > best + 1e-12) {
      best = value;
      kept = order.slice(0, m);
    }
  }
  return kept.sort((p, q) => p - q).map((k) => clusters[k]!);
}

/** Annotators in text order, each one's shapes in `compare` order, with their input indices. */
function canonicalOrder<T>(
  annotations: readonly ShapeAnnotation<T>[],
  compare: ((a: T, b: T) => number) | undefined,
) {
  const seen = new Set<string>();
  return annotations
    .map(({ annotator, shapes }) => {
      if (seen.has(annotator))
        throw new RangeError(`annotator "${annotator}" appears twice on one item`);
      seen.add(annotator);
      const indexed = shapes.map((shape, index) => ({ shape, index }));
      if (compare) indexed.sort((a, b) => compare(a.shape, b.shape) || a.index - b.index);
      return { annotator, shapes: indexed };
    })
    .sort((a, b) => compareText(a.annotator, b.annotator));
}

function medoidShape<T>(shapes: readonly T[], similarity: ShapeSimilarity<T>): T {
  let best = 0;
  let bestTotal = -Infinity;
  shapes.forEach((shape, i) => {
    let total = 0;
    shapes.forEach((other, j) => {
      if (i !== j) total += similarity(shape, other);
    });
    if (total > bestTotal) {
      best = i;
      bestTotal = total;
    }
  });
  return shapes[best]!;
}

/** Code-unit order, the same on every machine (unlike localeCompare). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
