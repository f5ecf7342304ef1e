import type { Output } from './remote';

/** A UTC timestamp to the minute: `2025-11-23 15:47`. */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').slice(0, 16);
}

/** The line of a row padded to `widths`, the last cell left ragged. */
function lineOf(cells: string[], widths: readonly number[]): string {
  return cells
    .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
    .join('  ')
    .trimEnd();
}

function widen(widths: number[], cells: string[]): void {
  cells.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
}

/** Rows of text in aligned columns. */
export function alignColumns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) widen(widths, row);
  return rows.map((row) => lineOf(row, widths));
}

/**
 * A table printed as its rows arrive: the widths come from the first `measured` rows (held until
 * then), and later rows keep them (a longer cell pushes the rest of its line).
 */
export class StreamedTable {
  readonly #output: Output;
  readonly #measured: number;
  #pending: string[][] | undefined;
  readonly #widths: number[] = [];

  constructor(output: Output, header: string[], measured = 100) {
    this.#output = output;
    this.#pending = [header];
    this.#measured = measured;
  }

  async add(cells: string[]): Promise<void> {
    if (!this.#pending) return this.#output.line(lineOf(cells, this.#widths));
    this.#pending.push(cells);
    if (this.#pending.length > this.#measured) await this.flush();
  }

  /** Prints the rows held back; call once the rows are done. */
  async flush(): Promise<void> {
    const rows = this.#pending;
    if (!rows) return;
    this.#pending = undefined;
    for (const row of rows) widen(this.#widths, row);
    for (const row of rows) await this.#output.line(lineOf(row, this.#widths));
  }
}
