/**
 * jmespath 1.0.1 `jmespath/parser.py`, the Pratt parser aws CLI 2.9.19 compiles --query with,
 * ported so that the same expressions are accepted, with the same precedence, and rejected
 * with the same messages. It builds jmespath's own AST (ast.py's dicts); ./to-community.ts
 * translates that for the evaluator.
 */
import { pyRepr, pyStr } from "../python/values.js";
import { tokenize, type Token } from "./lexer.js";

export interface PyNode {
  type: string;
  children: PyNode[];
  value?: unknown;
  /** slice: [start, stop, step], each a number or null. */
  slice?: [number | null, number | null, number | null];
}

/** jmespath's ParseError; `reason` is its `msg`, e.g. "invalid token" or "Unexpected token: foo". */
export class ParseError extends Error {
  constructor(
    readonly lexPosition: number,
    readonly tokenValue: unknown,
    readonly tokenType: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** jmespath's IncompleteExpressionError: the expression ended where more was needed. */
export class IncompleteExpressionError extends Error {}

/** A Python IndexError the parser can hit on odd input (its lookahead past the token list). */
export class PythonIndexError extends Error {
  constructor() {
    super("list index out of range");
  }
}

const BINDING_POWER = {
  eof: 0,
  unquoted_identifier: 0,
  quoted_identifier: 0,
  literal: 0,
  rbracket: 0,
  rparen: 0,
  comma: 0,
  rbrace: 0,
  number: 0,
  current: 0,
  expref: 0,
  colon: 0,
  pipe: 1,
  or: 2,
  and: 3,
  eq: 5,
  gt: 5,
  lt: 5,
  gte: 5,
  lte: 5,
  ne: 5,
  flatten: 9,
  // Everything above stops a projection.
  star: 20,
  filter: 21,
  dot: 40,
  not: 45,
  lbrace: 50,
  lbracket: 55,
  lparen: 60,
} as const;
const PROJECTION_STOP = 10;

/** Binding power of a token type (every type the lexer makes is listed). */
const bp = (type: string): number => (BINDING_POWER as { [type: string]: number })[type] ?? 0;

const node = (type: string, children: PyNode[] = [], value?: unknown): PyNode => (value === undefined ? { type, children } : { type, children, value });
const identity = () => node("identity");

export function parse(expression: string): PyNode {
  return new Parser(tokenize(expression)).parse();
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): PyNode {
    const parsed = this.expression(0);
    if (this.currentToken() !== "eof") {
      const t = this.lookaheadToken(0);
      throw new ParseError(t.start, t.value, t.type, `Unexpected token: ${pyStr(t.value)}`);
    }
    return parsed;
  }

  private expression(bindingPower = 0): PyNode {
    const leftToken = this.lookaheadToken(0);
    this.advance();
    let left = this.nud(leftToken);
    let currentToken = this.currentToken();
    while (bindingPower < bp(currentToken)) {
      const led = this.led(currentToken);
      if (led === undefined) {
        this.errorLedToken(this.lookaheadToken(0));
      } else {
        this.advance();
        left = led(left);
        currentToken = this.currentToken();
      }
    }
    return left;
  }

  private nud(token: Token): PyNode {
    switch (token.type) {
      case "literal":
        return node("literal", [], token.value === undefined ? null : token.value);
      case "unquoted_identifier":
        return node("field", [], token.value);
      case "quoted_identifier": {
        const field = node("field", [], token.value);
        // A quoted identifier cannot name a function.
        if (this.currentToken() === "lparen") {
          const t = this.lookaheadToken(0);
          throw new ParseError(0, t.value, t.type, "Quoted identifier not allowed for function names.");
        }
        return field;
      }
      case "star": {
        const right = this.currentToken() === "rbracket" ? identity() : this.parseProjectionRhs(BINDING_POWER.star);
        return node("value_projection", [identity(), right]);
      }
      case "filter":
        return this.ledFilter(identity());
      case "lbrace":
        return this.parseMultiSelectHash();
      case "lparen": {
        const expression = this.expression();
        this.match("rparen");
        return expression;
      }
      case "flatten": {
        const left = node("flatten", [identity()]);
        return node("projection", [left, this.parseProjectionRhs(BINDING_POWER.flatten)]);
      }
      case "not":
        return node("not_expression", [this.expression(BINDING_POWER.not)]);
      case "lbracket":
        if (["number", "colon"].includes(this.currentToken())) {
          return this.projectIfSlice(identity(), this.parseIndexExpression());
        }
        if (this.currentToken() === "star" && this.lookahead(1) === "rbracket") {
          this.advance();
          this.advance();
          return node("projection", [identity(), this.parseProjectionRhs(BINDING_POWER.star)]);
        }
        return this.parseMultiSelectList();
      case "current":
        return node("current");
      case "expref":
        return node("expref", [this.expression(BINDING_POWER.expref)]);
      default:
        if (token.type === "eof") throw new IncompleteExpressionError();
        throw this.parseErrorForToken(token, "invalid token");
    }
  }

  private led(type: string): ((left: PyNode) => PyNode) | undefined {
    switch (type) {
      case "dot":
        return (left) => this.ledDot(left);
      case "pipe":
        return (left) => node("pipe", [left, this.expression(BINDING_POWER.pipe)]);
      case "or":
        return (left) => node("or_expression", [left, this.expression(BINDING_POWER.or)]);
      case "and":
        return (left) => node("and_expression", [left, this.expression(BINDING_POWER.and)]);
      case "lparen":
        return (left) => this.ledLparen(left);
      case "filter":
        return (left) => this.ledFilter(left);
      case "eq":
      case "ne":
      case "gt":
      case "gte":
      case "lt":
      case "lte":
        return (left) => node("comparator", [left, this.expression(bp(type))], type);
      case "flatten":
        return (left) => node("projection", [node("flatten", [left]), this.parseProjectionRhs(BINDING_POWER.flatten)]);
      case "lbracket":
        return (left) => this.ledLbracket(left);
      default:
        return undefined;
    }
  }

  private parseIndexExpression(): PyNode {
    if (this.lookahead(0) === "colon" || this.lookahead(1) === "colon") return this.parseSliceExpression();
    const index = node("index", [], this.lookaheadToken(0).value);
    this.advance();
    this.match("rbracket");
    return index;
  }

  private parseSliceExpression(): PyNode {
    const parts: [number | null, number | null, number | null] = [null, null, null];
    let index = 0;
    let currentToken = this.currentToken();
    while (currentToken !== "rbracket" && index < 3) {
      if (currentToken === "colon") {
        index += 1;
        if (index === 3) throw this.parseErrorForToken(this.lookaheadToken(0), "syntax error");
        this.advance();
      } else if (currentToken === "number") {
        parts[index] = this.lookaheadToken(0).value as number;
        this.advance();
      } else {
        throw this.parseErrorForToken(this.lookaheadToken(0), "syntax error");
      }
      currentToken = this.currentToken();
    }
    this.match("rbracket");
    return { type: "slice", children: [], slice: parts };
  }

  private ledDot(left: PyNode): PyNode {
    if (this.currentToken() !== "star") {
      const right = this.parseDotRhs(BINDING_POWER.dot);
      if (left.type === "subexpression") {
        left.children.push(right);
        return left;
      }
      return node("subexpression", [left, right]);
    }
    // A projection: foo.*
    this.advance();
    return node("value_projection", [left, this.parseProjectionRhs(BINDING_POWER.dot)]);
  }

  private ledLparen(left: PyNode): PyNode {
    if (left.type !== "field") {
      //  0 - first func arg or closing paren; -1 - '(' token; -2 - the invalid function "name".
      const prev = this.lookaheadToken(-2);
      throw new ParseError(prev.start, prev.value, prev.type, `Invalid function name '${pyStr(prev.value)}'`);
    }
    const args: PyNode[] = [];
    while (this.currentToken() !== "rparen") {
      const expression = this.expression();
      if (this.currentToken() === "comma") this.match("comma");
      args.push(expression);
    }
    this.match("rparen");
    return node("function_expression", args, left.value);
  }

  private ledFilter(left: PyNode): PyNode {
    const condition = this.expression(0);
    this.match("rbracket");
    const right = this.currentToken() === "flatten" ? identity() : this.parseProjectionRhs(BINDING_POWER.filter);
    return node("filter_projection", [left, right, condition]);
  }

  private ledLbracket(left: PyNode): PyNode {
    const token = this.lookaheadToken(0);
    if (["number", "colon"].includes(token.type)) {
      const right = this.parseIndexExpression();
      if (left.type === "index_expression") {
        left.children.push(right);
        return left;
      }
      return this.projectIfSlice(left, right);
    }
    this.match("star");
    this.match("rbracket");
    return node("projection", [left, this.parseProjectionRhs(BINDING_POWER.star)]);
  }

  private projectIfSlice(left: PyNode, right: PyNode): PyNode {
    const indexExpr = node("index_expression", [left, right]);
    if (right.type === "slice") return node("projection", [indexExpr, this.parseProjectionRhs(BINDING_POWER.star)]);
    return indexExpr;
  }

  private parseMultiSelectList(): PyNode {
    const expressions: PyNode[] = [];
    for (;;) {
      expressions.push(this.expression());
      if (this.currentToken() === "rbracket") break;
      this.match("comma");
    }
    this.match("rbracket");
    return node("multi_select_list", expressions);
  }

  private parseMultiSelectHash(): PyNode {
    const pairs: PyNode[] = [];
    for (;;) {
      const keyToken = this.lookaheadToken(0);
      this.matchMultipleTokens(["quoted_identifier", "unquoted_identifier"]);
      this.match("colon");
      const value = this.expression(0);
      pairs.push(node("key_val_pair", [value], keyToken.value));
      if (this.currentToken() === "comma") {
        this.match("comma");
      } else if (this.currentToken() === "rbrace") {
        this.match("rbrace");
        break;
      }
    }
    return node("multi_select_dict", pairs);
  }

  private parseProjectionRhs(bindingPower: number): PyNode {
    const current = this.currentToken();
    if (bp(current) < PROJECTION_STOP) return identity();
    if (current === "lbracket" || current === "filter") return this.expression(bindingPower);
    if (current === "dot") {
      this.match("dot");
      return this.parseDotRhs(bindingPower);
    }
    throw this.parseErrorForToken(this.lookaheadToken(0), "syntax error");
  }

  private parseDotRhs(bindingPower: number): PyNode {
    const lookahead = this.currentToken();
    if (["quoted_identifier", "unquoted_identifier", "star"].includes(lookahead)) return this.expression(bindingPower);
    if (lookahead === "lbracket") {
      this.match("lbracket");
      return this.parseMultiSelectList();
    }
    if (lookahead === "lbrace") {
      this.match("lbrace");
      return this.parseMultiSelectHash();
    }
    const t = this.lookaheadToken(0);
    const allowed = ["quoted_identifier", "unquoted_identifier", "lbracket", "lbrace"];
    throw this.parseErrorForToken(t, `Expecting: ${pyRepr(allowed)}, got: ${t.type}`);
  }

  private errorLedToken(token: Token): never {
    throw this.parseErrorForToken(token, "invalid token");
  }

  private match(tokenType: string): void {
    if (this.currentToken() === tokenType) this.advance();
    else this.raiseParseErrorMaybeEof(tokenType, this.lookaheadToken(0));
  }

  private matchMultipleTokens(tokenTypes: string[]): void {
    if (!tokenTypes.includes(this.currentToken())) this.raiseParseErrorMaybeEof(tokenTypes, this.lookaheadToken(0));
    this.advance();
  }

  private advance(): void {
    this.index += 1;
  }

  private currentToken(): string {
    return this.lookaheadToken(0).type;
  }

  private lookahead(n: number): string {
    return this.lookaheadToken(n).type;
  }

  /** Python list indexing: negative counts from the end, past the end is an IndexError. */
  private lookaheadToken(n: number): Token {
    let i = this.index + n;
    if (i < 0) i += this.tokens.length;
    const token = this.tokens[i];
    if (token === undefined) throw new PythonIndexError();
    return token;
  }

  private parseErrorForToken(token: Token, reason: string): ParseError {
    return new ParseError(token.start, token.value, token.type, reason);
  }

  private raiseParseErrorMaybeEof(expected: string | string[], token: Token): never {
    if (token.type === "eof") throw new IncompleteExpressionError();
    const expectedText = typeof expected === "string" ? expected : pyRepr(expected);
    throw new ParseError(token.start, token.value, token.type, `Expecting: ${expectedText}, got: ${token.type}`);
  }
}
