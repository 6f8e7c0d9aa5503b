/**
 * jmespath 1.0.1 (the Python package aws CLI 2.9.19 runs) `jmespath/lexer.py`, ported for its
 * exact tokens, positions and error texts. Positions count code points, as Python's do.
 */
import { pyJsonLoads, JsonDecodeError } from "./json-loads.js";

export interface Token {
  type: string;
  value: unknown;
  start: number;
}

/** jmespath's LexerError: "Bad jmespath expression: <message>:\n<expression>\n<caret>". */
export class LexerError extends Error {
  constructor(
    readonly lexerPosition: number,
    readonly lexerValue: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** jmespath's EmptyExpressionError. */
export class EmptyExpressionError extends Error {
  constructor() {
    super("Invalid JMESPath expression: cannot be empty.");
  }
}

const START_IDENTIFIER = /^[A-Za-z_]$/;
const VALID_IDENTIFIER = /^[A-Za-z0-9_]$/;
const VALID_NUMBER = /^[0-9]$/;
const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const SIMPLE_TOKENS: { [ch: string]: string } = {
  ".": "dot",
  "*": "star",
  "]": "rbracket",
  ",": "comma",
  ":": "colon",
  "@": "current",
  "(": "lparen",
  ")": "rparen",
  "{": "lbrace",
  "}": "rbrace",
};

export function tokenize(expression: string): Token[] {
  return new Lexer(expression).tokenize();
}

class Lexer {
  private readonly chars: string[];
  private readonly length: number;
  private position = 0;
  private current: string | undefined;

  constructor(private readonly expression: string) {
    if (!expression) throw new EmptyExpressionError();
    this.chars = Array.from(expression);
    this.length = this.chars.length;
    this.current = this.chars[0];
  }

  tokenize(): Token[] {
    const tokens: Token[] = [];
    const is = (re: RegExp) => this.current !== undefined && re.test(this.current);
    while (this.current !== undefined) {
      const ch = this.current;
      const simple = SIMPLE_TOKENS[ch];
      if (simple !== undefined) {
        tokens.push({ type: simple, value: ch, start: this.position });
        this.next();
      } else if (START_IDENTIFIER.test(ch)) {
        const start = this.position;
        let buff = ch;
        while (this.next() !== undefined && is(VALID_IDENTIFIER)) buff += this.current;
        tokens.push({ type: "unquoted_identifier", value: buff, start });
      } else if (WHITESPACE.has(ch)) {
        this.next();
      } else if (ch === "[") {
        const start = this.position;
        const nextChar = this.next();
        if (nextChar === "]") {
          this.next();
          tokens.push({ type: "flatten", value: "[]", start });
        } else if (nextChar === "?") {
          this.next();
          tokens.push({ type: "filter", value: "[?", start });
        } else {
          tokens.push({ type: "lbracket", value: "[", start });
        }
      } else if (ch === "'") {
        tokens.push(this.consumeRawStringLiteral());
      } else if (ch === "|") {
        tokens.push(this.matchOrElse("|", "or", "pipe"));
      } else if (ch === "&") {
        tokens.push(this.matchOrElse("&", "and", "expref"));
      } else if (ch === "`") {
        tokens.push(this.consumeLiteral());
      } else if (VALID_NUMBER.test(ch)) {
        const start = this.position;
        tokens.push({ type: "number", value: Number(this.consumeNumber()), start });
      } else if (ch === "-") {
        const start = this.position;
        const buff = this.consumeNumber();
        if (buff.length > 1) tokens.push({ type: "number", value: Number(buff), start });
        else throw new LexerError(start, buff, `Unknown token '${buff}'`);
      } else if (ch === '"') {
        tokens.push(this.consumeQuotedIdentifier());
      } else if (ch === "<") {
        tokens.push(this.matchOrElse("=", "lte", "lt"));
      } else if (ch === ">") {
        tokens.push(this.matchOrElse("=", "gte", "gt"));
      } else if (ch === "!") {
        tokens.push(this.matchOrElse("=", "ne", "not"));
      } else if (ch === "=") {
        if (this.next() === "=") {
          tokens.push({ type: "eq", value: "==", start: this.position - 1 });
          this.next();
        } else {
          // At the end the position never moved past the '='.
          const position = this.current === undefined ? this.position : this.position - 1;
          throw new LexerError(position, "=", "Unknown token '='");
        }
      } else {
        throw new LexerError(this.position, ch, `Unknown token ${ch}`);
      }
    }
    tokens.push({ type: "eof", value: "", start: this.length });
    return tokens;
  }

  private next(): string | undefined {
    if (this.position === this.length - 1) {
      this.current = undefined;
    } else {
      this.position += 1;
      this.current = this.chars[this.position];
    }
    return this.current;
  }

  private consumeNumber(): string {
    let buff = this.current ?? "";
    while (this.next() !== undefined && VALID_NUMBER.test(this.current as string)) buff += this.current;
    return buff;
  }

  /** Up to the delimiter; a backslash keeps itself and the character after it. */
  private consumeUntil(delimiter: string): string {
    const start = this.position;
    let buff = "";
    this.next();
    while (this.current !== delimiter) {
      if (this.current === "\\") {
        buff += "\\";
        this.next();
      }
      if (this.current === undefined) {
        throw new LexerError(start, this.chars.slice(start).join(""), `Unclosed ${delimiter} delimiter`);
      }
      buff += this.current;
      this.next();
    }
    this.next();
    return buff;
  }

  private consumeLiteral(): Token {
    const start = this.position;
    const lexeme = this.consumeUntil("`").replaceAll("\\`", "`");
    let parsed: unknown;
    try {
      parsed = pyJsonLoads(lexeme);
    } catch {
      try {
        // JEP-12's deprecated form: a bare word is taken as a JSON string.
        parsed = pyJsonLoads(`"${lexeme.replace(/^\s+/u, "")}"`);
      } catch {
        throw new LexerError(start, this.chars.slice(start).join(""), `Bad token ${lexeme}`);
      }
    }
    return { type: "literal", value: parsed, start };
  }

  private consumeQuotedIdentifier(): Token {
    const start = this.position;
    const lexeme = `"${this.consumeUntil('"')}"`;
    try {
      return { type: "quoted_identifier", value: pyJsonLoads(lexeme), start };
    } catch (e) {
      // Python keeps the part of json's message before the first ':'.
      const message = e instanceof JsonDecodeError ? e.message.split(":")[0] ?? "" : String(e);
      throw new LexerError(start, lexeme, message);
    }
  }

  private consumeRawStringLiteral(): Token {
    const start = this.position;
    const lexeme = this.consumeUntil("'").replaceAll("\\'", "'");
    return { type: "literal", value: lexeme, start };
  }

  private matchOrElse(expected: string, matchType: string, elseType: string): Token {
    const start = this.position;
    const current = this.current as string;
    const nextChar = this.next();
    if (nextChar === expected) {
      this.next();
      return { type: matchType, value: current + nextChar, start };
    }
    return { type: elseType, value: current, start };
  }
}
