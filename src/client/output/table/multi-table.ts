/**
 * awscli/table.py `MultiTable`: stacks sections, sizes them to the widest one and draws the
 * borders. Only when that width exceeds the terminal's are single-row sections turned on
 * their side (header | value per line); nothing is ever truncated or wrapped.
 */
import { Section } from "./section.js";
import { IndentedStream, type Stream, type Styler } from "./styler.js";
import { textLength } from "./text-width.js";

/**
 * The width table.py assumes when stdout is not a terminal (its ioctl fails): 80 columns.
 * Pass the terminal's own width when stdout is a TTY, as the CLI does.
 */
export const DEFAULT_TERMINAL_WIDTH = 80;

export class MultiTable {
  private currentSection: Section | null = null;
  private readonly sections: Section[] = [];

  constructor(
    private readonly styler: Styler,
    private readonly terminalWidth: number = DEFAULT_TERMINAL_WIDTH,
    private readonly columnSeparator = "|",
    private readonly autoReformat = true,
  ) {}

  addRowHeader(headers: string[]): void {
    this.section().addHeader(headers);
  }

  addRow(row: readonly unknown[]): void {
    this.section().addRow(row);
  }

  newSection(title: string | null, indentLevel = 0): void {
    const section = new Section();
    section.addTitle(title);
    section.indentLevel = indentLevel;
    this.sections.push(section);
    this.currentSection = section;
  }

  render(stream: Stream): void {
    let maxWidth = this.calculateMaxWidth();
    if (maxWidth > this.terminalWidth && this.autoReformat) {
      convertToVerticalTable(this.sections);
      maxWidth = this.calculateMaxWidth();
    }
    stream.write("-".repeat(maxWidth) + "\n");
    for (const section of this.sections) this.renderSection(section, maxWidth, stream);
  }

  private section(): Section {
    // The formatter always opens a section before it adds rows (initial_section=False).
    if (!this.currentSection) throw new Error("table: no section");
    return this.currentSection;
  }

  private calculateMaxWidth(): number {
    return Math.max(...this.sections.map((s) => s.totalWidth(4, true, s.indentLevel)));
  }

  private renderSection(section: Section, maxWidth: number, out: Stream): void {
    const indentChar = this.styler.styleIndentationChar("|");
    const stream = new IndentedStream(out, section.indentLevel, indentChar, indentChar);
    const width = maxWidth - section.indentLevel * 2;
    this.renderTitle(section, width, stream);
    this.renderColumnTitles(section, width, stream);
    this.renderRows(section, width, stream);
  }

  private renderTitle(section: Section, maxWidth: number, stream: Stream): void {
    if (!section.title) return;
    const title = this.styler.styleTitle(section.title);
    stream.write(centerText(title, maxWidth, "|", "|", textLength(section.title)) + "\n");
    if (section.headers.length === 0 && section.rows.length === 0) {
      stream.write(`+${"-".repeat(Math.max(0, maxWidth - 2))}+\n`);
    }
  }

  private renderColumnTitles(section: Section, maxWidth: number, stream: Stream): void {
    if (section.headers.length === 0) return;
    const widths = section.calculateColumnWidths(4, maxWidth);
    let current = "";
    zip(widths, section.headers).forEach(([width, header], i) => {
      current += centerText(this.styler.styleHeaderColumn(header), width, i === 0 ? "|" : "", "|", textLength(header));
    });
    writeLineBreak(stream, widths);
    stream.write(current + "\n");
  }

  private renderRows(section: Section, maxWidth: number, stream: Stream): void {
    if (section.rows.length === 0) return;
    const widths = section.calculateColumnWidths(4, maxWidth);
    if (widths.length === 0) return;
    writeLineBreak(stream, widths);
    for (const row of section.rows) {
      let current = "";
      zip(widths, row).forEach(([width, element], i) => {
        const styled = this.styler.styleRowElement(element);
        current += alignLeft(styled, width, i === 0 ? "|" : "", this.columnSeparator, textLength(element));
      });
      stream.write(current + "\n");
    }
    writeLineBreak(stream, widths);
  }
}

/** `+-------+---------+`: the first cell carries both edges, the others only their right one. */
function writeLineBreak(stream: Stream, widths: readonly number[]): void {
  const parts = widths.map((width, i) => (i === 0 ? `+${"-".repeat(Math.max(0, width - 2))}+` : `${"-".repeat(Math.max(0, width - 1))}+`));
  stream.write(parts.join("") + "\n");
}

function zip<A, B>(a: readonly A[], b: readonly B[]): [A, B][] {
  const n = Math.min(a.length, b.length);
  const out: [A, B][] = [];
  for (let i = 0; i < n; i++) out.push([a[i] as A, b[i] as B]);
  return out;
}

/** Python's `' ' * n` is empty for n <= 0. */
function spaces(n: number): string {
  return n > 0 ? " ".repeat(n) : "";
}

/** table.py `center_text`; `textLength` is passed separately so ANSI codes are not measured. */
export function centerText(text: string, length: number, leftEdge: string, rightEdge: string, textLength_: number): string {
  const charStart = Math.floor(length / 2) - Math.floor(textLength_ / 2) - 1;
  const lengthSoFar = textLength(leftEdge) + charStart + textLength_;
  const rightSideSpaces = length - textLength(rightEdge) - lengthSoFar;
  return leftEdge + spaces(charStart) + text + spaces(rightSideSpaces) + rightEdge;
}

/** table.py `align_left`: two spaces of padding unless the cell is too narrow for them. */
export function alignLeft(text: string, length: number, leftEdge: string, rightEdge: string, textLength_: number, leftPadding = 2): string {
  const computed = textLength_ + leftPadding + textLength(leftEdge) + textLength(rightEdge);
  const padding = length - computed >= 0 ? leftPadding : 0;
  const lengthSoFar = leftEdge.length + padding + textLength_;
  return leftEdge + spaces(padding) + text + spaces(length - lengthSoFar - rightEdge.length) + rightEdge;
}

/** Any section with a single row and headers becomes one `header | value` row per column. */
function convertToVerticalTable(sections: Section[]): void {
  sections.forEach((section, i) => {
    const firstRow = section.rows[0];
    if (section.rows.length === 1 && section.headers.length > 0 && firstRow) {
      const converted = new Section();
      converted.title = section.title;
      converted.indentLevel = section.indentLevel;
      zip(section.headers, firstRow).forEach(([header, element]) => converted.addRow([header, element]));
      sections[i] = converted;
    }
  });
}
