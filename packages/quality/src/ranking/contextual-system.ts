import { solvePreconditionedConjugateGradient } from './conjugate-gradient';
import type { PreparedComparisons } from './contextual-bradley-terry';

/**
 * The Newton system of the contextual Bradley-Terry fit: one pass over the comparisons gives the
 * objective, its gradient and the Hessian's sufficient statistics; the step is then solved densely
 * (Cholesky) or with conjugate gradients that never form the Hessian.
 */

/** The objective at a point, with its gradient and the Hessian's sufficient statistics. */
export interface Evaluation {
  objective: number;
  gradient: Float64Array;
  pairCurvature: Float64Array;
  /** cross[item * K + k] = Σ w·(±1)·z_k over the item's comparisons. */
  cross: Float64Array;
  /** block[k * K + l] = Σ w·z_k·z_l (upper triangle filled). */
  block: Float64Array;
}

/** The penalised negative log-likelihood at `point` and what a Newton step needs. */
export function evaluate(
  prepared: PreparedComparisons,
  point: Float64Array,
  prior: number,
  weights: Uint32Array | undefined,
): Evaluation {
  const { itemCount, covariateCount: K } = prepared;
  const at: Evaluation = {
    objective: 0,
    gradient: new Float64Array(itemCount + K),
    pairCurvature: new Float64Array(prepared.pairFirst.length),
    cross: new Float64Array(itemCount * K),
    block: new Float64Array(K * K),
  };
  if (K === 4) accumulateFour(prepared, point, weights, at);
  else accumulate(prepared, point, weights, at);
  for (let i = 0; i < point.length; i++) {
    at.objective += 0.5 * prior * point[i]! * point[i]!;
    at.gradient[i] = at.gradient[i]! + prior * point[i]!;
  }
  return at;
}

// Per comparison, with e = exp(-|η|): p = σ(η), and the negative log-likelihood
// y·softplus(-η) + (1-y)·softplus(η) written so that neither overflows.

function accumulate(
  prepared: PreparedComparisons,
  point: Float64Array,
  weights: Uint32Array | undefined,
  at: Evaluation,
): void {
  const { itemCount, left, right, credit, covariateCount: K, covariates, rowPair } = prepared;
  const { gradient, pairCurvature, cross, block } = at;
  let objective = 0;
  for (let row = 0; row < left.length; row++) {
    const count = weights ? weights[row]! : 1;
    if (count === 0) continue;
    const a = left[row]!;
    const b = right[row]!;
    const base = row * K;
    let eta = point[a]! - point[b]!;
    for (let k = 0; k < K; k++) eta += point[itemCount + k]! * covariates[base + k]!;
    const y = credit[row]!;
    const e = Math.exp(-Math.abs(eta));
    const p = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
    objective += count * (Math.log1p(e) + (eta >= 0 ? (1 - y) * eta : -y * eta));
    const residual = count * (p - y);
    const w = count * p * (1 - p);
    gradient[a] = gradient[a]! + residual;
    gradient[b] = gradient[b]! - residual;
    pairCurvature[rowPair[row]!] = pairCurvature[rowPair[row]!]! + w;
    for (let k = 0; k < K; k++) {
      const z = covariates[base + k]!;
      const wz = w * z;
      gradient[itemCount + k] = gradient[itemCount + k]! + residual * z;
      cross[a * K + k] = cross[a * K + k]! + wz;
      cross[b * K + k] = cross[b * K + k]! - wz;
      for (let l = k; l < K; l++) block[k * K + l] = block[k * K + l]! + wz * covariates[base + l]!;
    }
  }
  at.objective = objective;
}

/** accumulate() unrolled for four covariates (style control's): twice as fast per pass. */
function accumulateFour(
  prepared: PreparedComparisons,
  point: Float64Array,
  weights: Uint32Array | undefined,
  at: Evaluation,
): void {
  const { itemCount: m, left, right, credit, covariates, rowPair } = prepared;
  const { gradient, pairCurvature, cross, block } = at;
  const b0 = point[m]!;
  const b1 = point[m + 1]!;
  const b2 = point[m + 2]!;
  const b3 = point[m + 3]!;
  let objective = 0;
  // prettier-ignore
  let g0 = 0, g1 = 0, g2 = 0, g3 = 0;
  // prettier-ignore
  let h00 = 0, h01 = 0, h02 = 0, h03 = 0, h11 = 0, h12 = 0, h13 = 0, h22 = 0, h23 = 0, h33 = 0;
  for (let row = 0; row < left.length; row++) {
    const count = weights ? weights[row]! : 1;
    if (count === 0) continue;
    const a = left[row]!;
    const b = right[row]!;
    const base = row * 4;
    const z0 = covariates[base]!;
    const z1 = covariates[base + 1]!;
    const z2 = covariates[base + 2]!;
    const z3 = covariates[base + 3]!;
    const eta = point[a]! - point[b]! + b0 * z0 + b1 * z1 + b2 * z2 + b3 * z3;
    const y = credit[row]!;
    const e = Math.exp(-Math.abs(eta));
    const p = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
    objective += count * (Math.log1p(e) + (eta >= 0 ? (1 - y) * eta : -y * eta));
    const residual = count * (p - y);
    const w = count * p * (1 - p);
    gradient[a] = gradient[a]! + residual;
    gradient[b] = gradient[b]! - residual;
    pairCurvature[rowPair[row]!] = pairCurvature[rowPair[row]!]! + w;
    g0 += residual * z0;
    g1 += residual * z1;
    g2 += residual * z2;
    g3 += residual * z3;
    const w0 = w * z0;
    const w1 = w * z1;
    const w2 = w * z2;
    const w3 = w * z3;
    const ca = a * 4;
    const cb = b * 4;
    cross[ca] = cross[ca]! + w0;
    cross[ca + 1] = cross[ca + 1]! + w1;
    cross[ca + 2] = cross[ca + 2]! + w2;
    cross[ca + 3] = cross[ca + 3]! + w3;
    cross[cb] = cross[cb]! - w0;
    cross[cb + 1] = cross[cb + 1]! - w1;
    cross[cb + 2] = cross[cb + 2]! - w2;
    cross[cb + 3] = cross[cb + 3]! - w3;
    h00 += w0 * z0;
    h01 += w0 * z1;
    h02 += w0 * z2;
    h03 += w0 * z3;
    h11 += w1 * z1;
    h12 += w1 * z2;
    h13 += w1 * z3;
    h22 += w2 * z2;
    h23 += w2 * z3;
    h33 += w3 * z3;
  }
  at.objective = objective;
  gradient.set([g0, g1, g2, g3], m);
  block.set([h00, h01, h02, h03, 0, h11, h12, h13, 0, 0, h22, h23, 0, 0, 0, h33]);
}

/** The Hessian as a dense row-major matrix, for Cholesky. */
export function denseHessian(
  prepared: PreparedComparisons,
  at: Evaluation,
  prior: number,
): Float64Array {
  const { itemCount: m, covariateCount: K, pairFirst, pairSecond } = prepared;
  const n = m + K;
  const hessian = new Float64Array(n * n);
  for (let i = 0; i < n; i++) hessian[i * n + i] = prior;
  for (let p = 0; p < pairFirst.length; p++) {
    const h = at.pairCurvature[p]!;
    const i = pairFirst[p]!;
    const j = pairSecond[p]!;
    hessian[i * n + i] = hessian[i * n + i]! + h;
    hessian[j * n + j] = hessian[j * n + j]! + h;
    hessian[i * n + j] = -h;
    hessian[j * n + i] = -h;
  }
  for (let i = 0; i < m; i++)
    for (let k = 0; k < K; k++) {
      const value = at.cross[i * K + k]!;
      hessian[i * n + m + k] = value;
      hessian[(m + k) * n + i] = value;
    }
  for (let k = 0; k < K; k++)
    for (let l = k; l < K; l++) {
      const value = at.block[k * K + l]!;
      hessian[(m + k) * n + m + l] = hessian[(m + k) * n + m + l]! + value;
      if (l !== k) hessian[(m + l) * n + m + k] = value;
    }
  return hessian;
}

/** Solves H x = gradient with Jacobi-preconditioned conjugate gradients, never forming H. */
export function solveConjugateGradient(
  prepared: PreparedComparisons,
  at: Evaluation,
  prior: number,
): Float64Array {
  const { itemCount: m, covariateCount: K, pairFirst, pairSecond } = prepared;
  const { pairCurvature, cross, block } = at;
  const b = at.gradient;
  const n = m + K;
  const blockAt = (k: number, l: number) => (k <= l ? block[k * K + l]! : block[l * K + k]!);
  const diagonal = new Float64Array(n).fill(prior);
  for (let p = 0; p < pairFirst.length; p++) {
    diagonal[pairFirst[p]!] = diagonal[pairFirst[p]!]! + pairCurvature[p]!;
    diagonal[pairSecond[p]!] = diagonal[pairSecond[p]!]! + pairCurvature[p]!;
  }
  for (let k = 0; k < K; k++) diagonal[m + k] = diagonal[m + k]! + blockAt(k, k);
  const multiply = (v: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < n; i++) out[i] = prior * v[i]!;
    for (let p = 0; p < pairFirst.length; p++) {
      const i = pairFirst[p]!;
      const j = pairSecond[p]!;
      const flow = pairCurvature[p]! * (v[i]! - v[j]!);
      out[i] = out[i]! + flow;
      out[j] = out[j]! - flow;
    }
    for (let i = 0; i < m; i++)
      for (let k = 0; k < K; k++) {
        const c = cross[i * K + k]!;
        out[i] = out[i]! + c * v[m + k]!;
        out[m + k] = out[m + k]! + c * v[i]!;
      }
    for (let k = 0; k < K; k++)
      for (let l = 0; l < K; l++) out[m + k] = out[m + k]! + blockAt(k, l) * v[m + l]!;
  };
  return solvePreconditionedConjugateGradient(b, diagonal, multiply);
}
