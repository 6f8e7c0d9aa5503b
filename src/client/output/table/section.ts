/**
 * awscli/table.py `Section`: one titled block of a table, with its column widths.
 */
import { pyStr } from "../python/values.js";
import { textLength } from "./text-width.js";

export class Section {
  /** `None` is possible (a nested list of objects has no title); Python then measures "None". */
  title: string | null = "";
  headers: string[] = [];
  rows: string[][] = [];
  indentLevel = 0;
  private numCols: number | null = null;
  private maxWidths: number[] = [];

  /** postcondition (when maxWidth is given): the widths add up to maxWidth. */
  calculateColumnWidths(padding = 0, maxWidth?: number): number[] {
    const unscaled = this.maxWidths.map((w) => w + padding);
    if (maxWidth === undefined || unscaled.length === 0) return unscaled;
    const total = unscaled.reduce((a, b) => a + b, 0);
    const scaleFactor = maxWidth / total;
    const scaled = unscaled.map((w) => roundHalfEven(scaleFactor * w));
    // Scaling leaves them a little over or under; table.py walks the columns one unit at a time
    // (from the left when over, from the right when under) until the total is exact.
    let offBy = scaled.reduce((a, b) => a + b, 0) - maxWidth;
    while (offBy !== 0) {
      const order = scaled.map((_, i) => i);
      if (offBy < 0) order.reverse();
      for (const i of order) {
        if (offBy > 0) {
          scaled[i] = (scaled[i] as number) - 1;
          offBy -= 1;
        } else {
          scaled[i] = (scaled[i] as number) + 1;
          offBy += 1;
        }
        if (offBy === 0) break;
      }
    }
    return scaled;
  }

  totalWidth(padding = 0, withBorder = false, outerPadding = 0): number {
    const borderPadding = 2;
    let total = 0;
    for (const w of this.calculateColumnWidths()) total += w + padding;
    if (withBorder) total += borderPadding;
    total += outerPadding + outerPadding;
    return Math.max(textLength(this.title) + borderPadding + outerPadding + outerPadding, total);
  }

  addTitle(title: string | null): void {
    this.title = title;
  }

  addHeader(headers: string[]): void {
    this.updateMaxWidths(headers);
    if (this.numCols === null) this.numCols = headers.length;
    this.headers = headers;
  }

  addRow(row: readonly unknown[]): void {
    if (this.numCols === null) this.numCols = row.length;
    if (row.length !== this.numCols) {
      throw new RowWidthError(`Row should have ${this.numCols} elements, instead it has ${row.length}`);
    }
    const formatted = row.map(pyStr);
    this.rows.push(formatted);
    this.updateMaxWidths(formatted);
  }

  private updateMaxWidths(row: readonly string[]): void {
    if (this.maxWidths.length === 0) {
      this.maxWidths = row.map(textLength);
    } else {
      row.forEach((el, i) => {
        // A header wider than the rows before it indexes past the list, as in Python.
        if (i >= this.maxWidths.length) throw new RowWidthError("list index out of range");
        this.maxWidths[i] = Math.max(textLength(el), this.maxWidths[i] as number);
      });
    }
  }
}

/** table.py's ValueError (or IndexError) when a row's width differs from the section's. */
export class RowWidthError extends Error {}

/** Python 3 `round()`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
