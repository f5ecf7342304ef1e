/**
 * One keypoint of an object. `visibility` follows COCO: 0 not labelled (the coordinates mean
 * nothing), 1 labelled but hidden, 2 labelled and visible. Missing means 2.
 */
export interface Keypoint {
  x: number;
  y: number;
  visibility?: number;
}

/** Per-keypoint standard deviations of the 17 COCO person keypoints (nose, eyes, ears, …). */
export const COCO_PERSON_SIGMAS: readonly number[] = [
  0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072, 0.062, 0.062, 0.107, 0.107, 0.087,
  0.087, 0.089, 0.089,
];

/** What scales the keypoint distances. */
export interface KeypointSimilarityOptions {
  /**
   * Each keypoint's σ (how far annotators' clicks spread for it, as a share of the object's
   * scale), one per keypoint or one for all. COCO person: COCO_PERSON_SIGMAS.
   */
  sigmas: number | readonly number[];
  /** The object's area in pixels² (s² in the COCO formula), e.g. its segment or box area. */
  area: number;
}

/**
 * Object keypoint similarity as COCO defines it: the mean over keypoints labelled in `reference`
 * of exp(−d² / (2·s²·k²)), with d the distance to the candidate's keypoint, s² the object's
 * area and k = 2σ. A keypoint the candidate did not label scores 0. In [0, 1]; when the
 * reference labels no keypoint it is 1 if the candidate labels none either, else 0.
 */
export function objectKeypointSimilarity(
  reference: readonly Keypoint[],
  candidate: readonly Keypoint[],
  options: KeypointSimilarityOptions,
): number {
  const scale = checkedScale(reference, candidate, options);
  let sum = 0;
  let counted = 0;
  for (let i = 0; i < reference.length; i++) {
    const a = reference[i]!;
    if (!isLabelled(a)) continue;
    counted++;
    const b = candidate[i]!;
    if (isLabelled(b)) sum += closeness(a, b, sigmaOf(options.sigmas, i), scale);
  }
  if (counted === 0) return candidate.some(isLabelled) ? 0 : 1;
  return sum / counted;
}

/**
 * Symmetric keypoint agreement of two annotators on one object: like objectKeypointSimilarity,
 * but averaged over keypoints labelled by either (one labelled by only one of them scores 0),
 * so neither annotation plays gold. Equals the COCO figure when both label the same keypoints.
 */
export function keypointAgreement(
  a: readonly Keypoint[],
  b: readonly Keypoint[],
  options: KeypointSimilarityOptions,
): number {
  const scale = checkedScale(a, b, options);
  let sum = 0;
  let counted = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!;
    const q = b[i]!;
    const isInA = isLabelled(p);
    const isInB = isLabelled(q);
    if (!isInA && !isInB) continue;
    counted++;
    if (isInA && isInB) sum += closeness(p, q, sigmaOf(options.sigmas, i), scale);
  }
  return counted === 0 ? 1 : sum / counted;
}

function checkedScale(
  a: readonly Keypoint[],
  b: readonly Keypoint[],
  options: KeypointSimilarityOptions,
): number {
  if (a.length !== b.length)
    throw new RangeError(`keypoint lists differ in length (${a.length} and ${b.length})`);
  const { sigmas, area } = options;
  if (typeof sigmas !== 'number' && sigmas.length !== a.length)
    throw new RangeError(`${sigmas.length} sigmas for ${a.length} keypoints`);
  const all = typeof sigmas === 'number' ? [sigmas] : sigmas;
  if (!all.every((sigma) => sigma > 0 && Number.isFinite(sigma)))
    throw new RangeError('every sigma must be a positive number');
  if (!(area >= 0) || !Number.isFinite(area)) throw new RangeError('area must be a number >= 0');
  for (const point of [...a, ...b])
    if (isLabelled(point) && !(Number.isFinite(point.x) && Number.isFinite(point.y)))
      throw new RangeError('a labelled keypoint has a coordinate that is not a finite number');
  // COCO adds the smallest double so that a zero-area object still has a defined similarity.
  return area + Number.EPSILON;
}

function closeness(a: Keypoint, b: Keypoint, sigma: number, scale: number): number {
  const k = 2 * sigma;
  const squared = (a.x - b.x) ** 2 + (a.y - b.y) ** 2;
  return Math.exp(-squared / (2 * scale * k * k));
}

function sigmaOf(sigmas: number | readonly number[], i: number): number {
  return typeof sigmas === 'number' ? sigmas : sigmas[i]!;
}

function isLabelled(point: Keypoint): boolean {
  return point.visibility === undefined || point.visibility > 0;
}
