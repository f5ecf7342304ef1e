/**
 * Maximum-weight assignment between rows and columns (Hungarian algorithm, O(n²m) for n ≤ m).
 * `weights[row * columns + column]`; returns the column of each row, or -1. Every row of the
 * smaller side is assigned, so callers drop pairs whose weight means "not a match" (e.g. 0).
 */
export function maximumWeightAssignment(
  weights: Float64Array,
  rows: number,
  columns: number,
): Int32Array {
  if (weights.length !== rows * columns) throw new RangeError('weights must be rows × columns');
  if (rows > columns) {
    const transposed = new Float64Array(rows * columns);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < columns; c++) transposed[c * rows + r] = weights[r * columns + c]!;
    const columnToRow = maximumWeightAssignment(transposed, columns, rows);
    const rowToColumn = new Int32Array(rows).fill(-1);
    columnToRow.forEach((row, column) => {
      if (row >= 0) rowToColumn[row] = column;
    });
    return rowToColumn;
  }
  // Minimise the negated weights; potentials u (rows) and v (columns), 1-based with 0 as a sentinel.
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(columns + 1);
  const owner = new Int32Array(columns + 1);
  const way = new Int32Array(columns + 1);
  const slack = new Float64Array(columns + 1);
  const used = new Uint8Array(columns + 1);
  for (let row = 1; row <= rows; row++) {
    owner[0] = row;
    let column = 0;
    slack.fill(Infinity);
    used.fill(0);
    do {
      used[column] = 1;
      const current = owner[column]!;
      let delta = Infinity;
      let next = 0;
      for (let j = 1; j <= columns; j++) {
        if (used[j]) continue;
        const reduced = -weights[(current - 1) * columns + (j - 1)]! - u[current]! - v[j]!;
        if (reduced < slack[j]!) {
          slack[j] = reduced;
          way[j] = column;
        }
        if (slack[j]! < delta) {
          delta = slack[j]!;
          next = j;
        }
      }
      for (let j = 0; j <= columns; j++) {
        if (used[j]) {
          u[owner[j]!] = u[owner[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else slack[j] = slack[j]! - delta;
      }
      column = next;
    } while (owner[column] !== 0);
    do {
      const previous = way[column]!;
      owner[column] = owner[previous]!;
      column = previous;
    } while (column !== 0);
  }
  const rowToColumn = new Int32Array(rows).fill(-1);
  for (let j = 1; j <= columns; j++) if (owner[j]! > 0) rowToColumn[owner[j]! - 1] = j - 1;
  return rowToColumn;
}
