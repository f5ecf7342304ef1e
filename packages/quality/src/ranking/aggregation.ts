import { compareIds } from './outcomes';

/**
 * A ranked list of item ids, best first. A ballot need not list every item: the items it leaves
 * out rank below all it lists, tied with each other.
 */
export type Ballot = readonly string[];

/** Borda points per item, and the items ordered by them. */
export interface BordaResult {
  /** Most points first; equal points in id order. */
  ranking: readonly string[];
  points: ReadonlyMap<string, number>;
}

/** A preference locked in by ranked pairs. */
export interface LockedPair {
  winner: string;
  loser: string;
  /** Ballots preferring the winner minus ballots preferring the loser. */
  margin: number;
}

/** The ranked-pairs order and the pairs that produced it. */
export interface RankedPairsResult {
  ranking: readonly string[];
  /** Locked pairs in the order they were considered. */
  locked: readonly LockedPair[];
}

interface Tally {
  items: readonly string[];
  /** prefer[i * n + j]: ballots ranking item i above item j. */
  prefer: Float64Array;
  points: Float64Array;
}

function tallyBallots(ballots: readonly Ballot[]): Tally {
  const items = [...new Set(ballots.flat())].sort(compareIds);
  const n = items.length;
  const index = new Map(items.map((item, i) => [item, i]));
  const prefer = new Float64Array(n * n);
  const points = new Float64Array(n);
  const listed = new Uint8Array(n);
  ballots.forEach((ballot, b) => {
    const order = ballot.map((item) => index.get(item)!);
    listed.fill(0);
    for (const i of order) {
      if (listed[i]) throw new RangeError(`ballot ${b} lists "${items[i]}" twice`);
      listed[i] = 1;
    }
    order.forEach((i, position) => {
      points[i] = points[i]! + (n - 1 - position);
      for (let later = position + 1; later < order.length; later++) {
        const cell = i * n + order[later]!;
        prefer[cell] = prefer[cell]! + 1;
      }
      for (let j = 0; j < n; j++) {
        if (!listed[j]) prefer[i * n + j] = prefer[i * n + j]! + 1;
      }
    });
    // Unlisted items share the points of the places left over: (n - m - 1) / 2 each.
    const share = (n - order.length - 1) / 2;
    for (let j = 0; j < n; j++) if (!listed[j]) points[j] = points[j]! + share;
  });
  return { items, prefer, points };
}

/** Orders item indices by points, most first, then by id. */
function orderByPoints(tally: Tally): number[] {
  return tally.items.map((_, i) => i).sort((a, b) => tally.points[b]! - tally.points[a]! || a - b);
}

/**
 * Borda count: on each ballot over n items the item in place r (0-based) gets n - 1 - r points;
 * items a ballot leaves out share the remaining points equally, so every ballot gives the same total.
 */
export function bordaCount(ballots: readonly Ballot[]): BordaResult {
  const tally = tallyBallots(ballots);
  return {
    ranking: orderByPoints(tally).map((i) => tally.items[i]!),
    points: new Map(tally.items.map((item, i) => [item, tally.points[i]!])),
  };
}

/**
 * Tideman's ranked pairs. Pairs with a positive margin are taken largest margin first and locked
 * unless they would close a cycle; the ranking is the order the locked pairs imply. The tie rule is
 * deterministic (after Zavist & Tideman 1989, with the Borda order as the tie-breaking ranking):
 * of pairs with equal margins, the one whose winner stands higher in the Borda order (points, then
 * id) goes first; with the same winner, the one whose loser stands lower goes first. Items the
 * locked pairs leave unordered (zero margins) are ordered by the same Borda order.
 */
export function tidemanRankedPairs(ballots: readonly Ballot[]): RankedPairsResult {
  const tally = tallyBallots(ballots);
  const n = tally.items.length;
  const tieOrder = orderByPoints(tally);
  const standing = new Int32Array(n);
  tieOrder.forEach((item, place) => {
    standing[item] = place;
  });

  const pairs: { winner: number; loser: number; margin: number }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const margin = tally.prefer[i * n + j]! - tally.prefer[j * n + i]!;
      if (margin > 0) pairs.push({ winner: i, loser: j, margin });
    }
  }
  pairs.sort(
    (a, b) =>
      b.margin - a.margin ||
      standing[a.winner]! - standing[b.winner]! ||
      standing[b.loser]! - standing[a.loser]!,
  );

  const beats: number[][] = tally.items.map(() => []);
  const locked: LockedPair[] = [];
  for (const pair of pairs) {
    if (reaches(beats, pair.loser, pair.winner)) continue;
    beats[pair.winner]!.push(pair.loser);
    locked.push({
      winner: tally.items[pair.winner]!,
      loser: tally.items[pair.loser]!,
      margin: pair.margin,
    });
  }

  // Topological order of the locked graph, choosing among unbeaten items by the Borda order.
  const beatenBy = new Int32Array(n);
  for (const losers of beats) for (const loser of losers) beatenBy[loser] = beatenBy[loser]! + 1;
  const placed = new Uint8Array(n);
  const ranking: string[] = [];
  for (let round = 0; round < n; round++) {
    const next = tieOrder.find((item) => !placed[item] && beatenBy[item] === 0)!;
    placed[next] = 1;
    ranking.push(tally.items[next]!);
    for (const loser of beats[next]!) beatenBy[loser] = beatenBy[loser]! - 1;
  }
  return { ranking, locked };
}

/** Whether `to` can be reached from `from` along locked pairs. */
function reaches(beats: readonly number[][], from: number, to: number): boolean {
  const seen = new Uint8Array(beats.length);
  const stack = [from];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item === to) return true;
    if (seen[item]) continue;
    seen[item] = 1;
    for (const next of beats[item]!) if (!seen[next]) stack.push(next);
  }
  return false;
}
