/**
 * awscli/table.py `Styler` / `ColorizedStyler`, and the stream colorama leaves behind.
 *
 * With colour on, the CLI calls `colorama.init(autoreset=True, strip=False)`, which wraps
 * stdout so that every write() is followed by RESET_ALL, even an empty one. The table writes
 * each line in several pieces, so the bytes carry a reset after each piece; that is
 * reproduced here exactly rather than tidied up.
 */

const BRIGHT = "\x1b[1m";
const DIM = "\x1b[2m";
const BLUE = "\x1b[34m";
const YELLOW = "\x1b[33m";
const RESET_ALL = "\x1b[0m";

export interface Styler {
  styleTitle(text: string): string;
  styleHeaderColumn(text: string): string;
  styleRowElement(text: string): string;
  styleIndentationChar(text: string): string;
}

export const plainStyler: Styler = {
  styleTitle: (text) => text,
  styleHeaderColumn: (text) => text,
  styleRowElement: (text) => text,
  styleIndentationChar: (text) => text,
};

export const colorStyler: Styler = {
  // Titles and headers were once bold/underlined; aws 2.9.19 leaves them plain.
  styleTitle: (text) => text,
  styleHeaderColumn: (text) => text,
  styleRowElement: (text) => BRIGHT + BLUE + text + RESET_ALL,
  styleIndentationChar: (text) => DIM + YELLOW + text + RESET_ALL,
};

export interface Stream {
  write(text: string): void;
}

/** stdout as the table sees it: collects the text, with colorama's reset after each write when on. */
export class BufferStream implements Stream {
  private readonly chunks: string[] = [];
  constructor(private readonly autoReset: boolean) {}

  write(text: string): void {
    this.chunks.push(text);
    if (this.autoReset) this.chunks.push(RESET_ALL);
  }

  toString(): string {
    return this.chunks.join("");
  }
}

/** table.py `IndentedStream`: draws the `|` of each enclosing section on both sides of a line. */
export class IndentedStream implements Stream {
  constructor(
    private readonly stream: Stream,
    private readonly indentLevel: number,
    private readonly leftIndentChar: string,
    private readonly rightIndentChar: string,
  ) {}

  write(text: string): void {
    this.stream.write(this.leftIndentChar.repeat(this.indentLevel));
    if (text.endsWith("\n")) {
      this.stream.write(text.slice(0, -1));
      this.stream.write(this.rightIndentChar.repeat(this.indentLevel));
      this.stream.write("\n");
    } else {
      this.stream.write(text);
    }
  }
}
