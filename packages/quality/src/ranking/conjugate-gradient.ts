/**
 * Solves H x = b for symmetric positive definite H with Jacobi-preconditioned conjugate gradients,
 * H given only by its diagonal and its product `multiply(v, out)` (out = H v), so it is never
 * formed. Stops once the residual's norm is 1e-12 of b's, or after 10·n + 100 steps.
 */
export function solvePreconditionedConjugateGradient(
  b: Float64Array,
  diagonal: Float64Array,
  multiply: (v: Float64Array, out: Float64Array) => void,
): Float64Array {
  const n = b.length;
  const x = new Float64Array(n);
  const residual = Float64Array.from(b);
  const preconditioned = new Float64Array(n);
  for (let i = 0; i < n; i++) preconditioned[i] = residual[i]! / diagonal[i]!;
  const direction = Float64Array.from(preconditioned);
  const product = new Float64Array(n);
  let rz = dot(residual, preconditioned);
  const target = 1e-24 * dot(b, b);
  const maxSteps = 10 * n + 100;
  for (let step = 0; step < maxSteps && dot(residual, residual) > target; step++) {
    multiply(direction, product);
    const alpha = rz / dot(direction, product);
    for (let i = 0; i < n; i++) {
      x[i] = x[i]! + alpha * direction[i]!;
      residual[i] = residual[i]! - alpha * product[i]!;
      preconditioned[i] = residual[i]! / diagonal[i]!;
    }
    const next = dot(residual, preconditioned);
    const beta = next / rz;
    rz = next;
    for (let i = 0; i < n; i++) direction[i] = preconditioned[i]! + beta * direction[i]!;
  }
  return x;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
