/**
 * The libyaml emitter (src/emitter.c, as bundled in ruamel.yaml.clib and used by aws CLI v2
 * through `YAML(typ='safe')`), ported for the events the representer produces: one implicit
 * document, block collections (flow only for empty ones), plain / single-quoted /
 * double-quoted scalars, anchors and aliases. Width 80, indent 2, unicode allowed, "\n" breaks.
 *
 * The port keeps libyaml's state (column, whitespace, indention, indent stack) and its
 * functions' names so it can be checked against the C line by line. Columns count code points,
 * as libyaml's do.
 */
import { assignAnchors, type MappingNode, type Node, type ScalarNode, type SequenceNode } from "./nodes.js";

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

type Style = "plain" | "single" | "double";

interface ScalarAnalysis {
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  /** UTF-8 bytes, as libyaml measures a simple key. */
  byteLength: number;
}

const isBreak = (ch: string | undefined) => ch === "\r" || ch === "\n" || ch === "\u0085" || ch === "\u2028" || ch === "\u2029";
const isSpace = (ch: string | undefined) => ch === " ";
const isBlank = (ch: string | undefined) => ch === " " || ch === "\t";
/** Blank, break, or the NUL past the end of the buffer. */
const isBlankz = (ch: string | undefined) => ch === undefined || ch === "\0" || isBlank(ch) || isBreak(ch);

/** libyaml IS_PRINTABLE: \n, 0x20-0x7E, 0xA0-0xD7FF, 0xE000-0xFFFD but not the BOM; nothing astral. */
function isPrintable(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return cp === 0x0a || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
}

export function emitYaml(root: Node): string {
  return new Emitter(assignAnchors(root)).emitDocument(root);
}

class Emitter {
  private out = "";
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;
  private readonly indents: number[] = [];
  private flowLevel = 0;
  private readonly serialized = new Set<Node>();
  // Node contexts (yaml_emitter_emit_node's root/sequence/mapping/simple_key).
  private mappingContext = false;
  private simpleKeyContext = false;

  constructor(private readonly anchors: Map<Node, string>) {}

  emitDocument(root: Node): string {
    // STREAM-START and an implicit DOCUMENT-START write nothing.
    this.emitNode(root, { mapping: false, simpleKey: false });
    // Implicit DOCUMENT-END: finish the line.
    this.writeIndent();
    return this.out;
  }

  // --- output primitives (PUT, PUT_BREAK, WRITE) ---

  private put(ch: string): void {
    this.out += ch;
    this.column++;
  }

  private putBreak(): void {
    this.out += "\n";
    this.column = 0;
  }

  /** WRITE_BREAK: "\n" goes out as the emitter's line break, other breaks are copied. */
  private writeBreak(ch: string): void {
    if (ch === "\n") this.putBreak();
    else {
      this.out += ch;
      this.column = 0;
    }
  }

  private writeIndent(): void {
    const indent = this.indent >= 0 ? this.indent : 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    for (const ch of indicator) this.put(ch);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  // --- nodes ---

  private emitNode(node: Node, context: { mapping: boolean; simpleKey: boolean }): void {
    this.mappingContext = context.mapping;
    this.simpleKeyContext = context.simpleKey;
    const anchor = this.anchors.get(node);
    if (this.serialized.has(node)) {
      // ALIAS
      this.writeIndicator("*", true, false, false);
      this.writeAnchor(anchor ?? "");
      if (this.simpleKeyContext) this.put(" ");
      return;
    }
    this.serialized.add(node);
    if (node.kind === "scalar") this.emitScalar(node, anchor);
    else if (node.kind === "sequence") this.emitSequence(node, anchor);
    else this.emitMapping(node, anchor);
  }

  private writeAnchor(name: string): void {
    for (const ch of name) this.put(ch);
    this.whitespace = false;
    this.indention = false;
  }

  private processAnchor(anchor: string | undefined): void {
    if (anchor === undefined) return;
    this.writeIndicator("&", true, false, false);
    this.writeAnchor(anchor);
  }

  private emitSequence(node: SequenceNode, anchor: string | undefined): void {
    this.processAnchor(anchor);
    // default_flow_style=False: block style, except an empty sequence, which libyaml writes as [].
    if (this.flowLevel > 0 || node.items.length === 0) this.emitFlowSequence(node);
    else this.emitBlockSequence(node);
  }

  private emitMapping(node: MappingNode, anchor: string | undefined): void {
    this.processAnchor(anchor);
    if (this.flowLevel > 0 || node.pairs.length === 0) this.emitFlowMapping(node);
    else this.emitBlockMapping(node);
  }

  private emitBlockSequence(node: SequenceNode): void {
    // A sequence that is a mapping's value is not indented further ("key:\n- item").
    this.increaseIndent(false, this.mappingContext && !this.indention);
    for (const item of node.items) {
      this.writeIndent();
      this.writeIndicator("-", true, false, true);
      this.emitNode(item, { mapping: false, simpleKey: false });
    }
    this.popIndent();
  }

  private emitBlockMapping(node: MappingNode): void {
    this.increaseIndent(false, false);
    for (const [key, value] of node.pairs) {
      this.writeIndent();
      if (this.checkSimpleKey(key)) {
        this.emitNode(key, { mapping: true, simpleKey: true });
        this.writeIndicator(":", false, false, false);
      } else {
        this.writeIndicator("?", true, false, true);
        this.emitNode(key, { mapping: true, simpleKey: false });
        this.writeIndent();
        this.writeIndicator(":", true, false, true);
      }
      this.emitNode(value, { mapping: true, simpleKey: false });
    }
    this.popIndent();
  }

  private emitFlowSequence(node: SequenceNode): void {
    this.writeIndicator("[", true, true, false);
    this.increaseIndent(true, false);
    this.flowLevel++;
    node.items.forEach((item, i) => {
      if (i > 0) this.writeIndicator(",", false, false, false);
      if (this.column > BEST_WIDTH) this.writeIndent();
      this.emitNode(item, { mapping: false, simpleKey: false });
    });
    this.flowLevel--;
    this.popIndent();
    this.writeIndicator("]", false, false, false);
  }

  private emitFlowMapping(node: MappingNode): void {
    this.writeIndicator("{", true, true, false);
    this.increaseIndent(true, false);
    this.flowLevel++;
    node.pairs.forEach(([key, value], i) => {
      if (i > 0) this.writeIndicator(",", false, false, false);
      if (this.column > BEST_WIDTH) this.writeIndent();
      if (this.checkSimpleKey(key)) {
        this.emitNode(key, { mapping: true, simpleKey: true });
        this.writeIndicator(":", false, false, false);
      } else {
        this.writeIndicator("?", true, false, false);
        this.emitNode(key, { mapping: true, simpleKey: false });
        if (this.column > BEST_WIDTH) this.writeIndent();
        this.writeIndicator(":", true, false, false);
      }
      this.emitNode(value, { mapping: true, simpleKey: false });
    });
    this.flowLevel--;
    this.popIndent();
    this.writeIndicator("}", false, false, false);
  }

  /** yaml_emitter_check_simple_key: short, single-line keys go inline as `key: value`. */
  private checkSimpleKey(key: Node): boolean {
    const anchorLength = this.anchors.get(key)?.length ?? 0;
    if (this.serialized.has(key)) return anchorLength <= 128;
    if (key.kind === "scalar") {
      const analysis = analyzeScalar(key.value);
      return !analysis.multiline && anchorLength + analysis.byteLength <= 128;
    }
    if (key.kind === "sequence" && key.items.length > 0) return false;
    if (key.kind === "mapping" && key.pairs.length > 0) return false;
    return anchorLength <= 128;
  }

  private emitScalar(node: ScalarNode, anchor: string | undefined): void {
    const analysis = analyzeScalar(node.value);
    const style = this.selectScalarStyle(node, analysis);
    this.processAnchor(anchor);
    this.increaseIndent(true, false);
    const allowBreaks = !this.simpleKeyContext;
    if (style === "plain") this.writePlain(node.value, allowBreaks);
    else if (style === "single") this.writeSingleQuoted(node.value, allowBreaks);
    else this.writeDoubleQuoted(node.value, allowBreaks);
    this.popIndent();
  }

  /** yaml_emitter_select_scalar_style, for untagged implicit scalars. */
  private selectScalarStyle(node: ScalarNode, analysis: ScalarAnalysis): Style {
    let style: Style = "plain";
    if (this.simpleKeyContext && analysis.multiline) style = "double";
    if (style === "plain") {
      if ((this.flowLevel > 0 && !analysis.flowPlainAllowed) || (this.flowLevel === 0 && !analysis.blockPlainAllowed)) style = "single";
      if (analysis.byteLength === 0 && (this.flowLevel > 0 || this.simpleKeyContext)) style = "single";
      if (!node.plainImplicit) style = "single";
    }
    if (style === "single" && !analysis.singleQuotedAllowed) style = "double";
    // Every scalar here is implicit in some style (strings quoted, the rest plain), so no tag is written.
    return style;
  }

  private writePlain(value: string, allowBreaks: boolean): void {
    const chars = Array.from(value);
    if (!this.whitespace && (chars.length > 0 || this.flowLevel > 0)) this.put(" ");
    let spaces = false;
    let breaks = false;
    chars.forEach((ch, i) => {
      if (isSpace(ch)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && !isSpace(chars[i + 1])) {
          this.writeIndent();
        } else {
          this.put(ch);
        }
        spaces = true;
      } else if (isBreak(ch)) {
        if (!breaks && ch === "\n") this.putBreak();
        this.writeBreak(ch);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(ch);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    });
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingleQuoted(value: string, allowBreaks: boolean): void {
    const chars = Array.from(value);
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    chars.forEach((ch, i) => {
      if (isSpace(ch)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1 && !isSpace(chars[i + 1])) {
          this.writeIndent();
        } else {
          this.put(ch);
        }
        spaces = true;
      } else if (isBreak(ch)) {
        if (!breaks && ch === "\n") this.putBreak();
        this.writeBreak(ch);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (ch === "'") this.put("'");
        this.put(ch);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    });
    if (breaks) this.writeIndent();
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDoubleQuoted(value: string, allowBreaks: boolean): void {
    const chars = Array.from(value);
    this.writeIndicator('"', true, false, false);
    let spaces = false;
    chars.forEach((ch, i) => {
      if (!isPrintable(ch) || ch === "\ufeff" || isBreak(ch) || ch === '"' || ch === "\\") {
        this.put("\\");
        for (const c of escapeFor(ch.codePointAt(0) ?? 0)) this.put(c);
        spaces = false;
      } else if (isSpace(ch)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1) {
          this.writeIndent();
          if (isSpace(chars[i + 1])) this.put("\\");
        } else {
          this.put(ch);
        }
        spaces = true;
      } else {
        this.put(ch);
        spaces = false;
      }
    });
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }
}

const SHORT_ESCAPES: { [cp: number]: string } = {
  0x00: "0",
  0x07: "a",
  0x08: "b",
  0x09: "t",
  0x0a: "n",
  0x0b: "v",
  0x0c: "f",
  0x0d: "r",
  0x1b: "e",
  0x22: '"',
  0x5c: "\\",
  0x85: "N",
  0xa0: "_",
  0x2028: "L",
  0x2029: "P",
};

/** What follows the backslash: a short escape, else \xXX, \uXXXX or \UXXXXXXXX in upper-case hex. */
function escapeFor(cp: number): string {
  const short = SHORT_ESCAPES[cp];
  if (short !== undefined) return short;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `x${hex.padStart(2, "0")}`;
  if (cp <= 0xffff) return `u${hex.padStart(4, "0")}`;
  return `U${hex.padStart(8, "0")}`;
}

/** yaml_emitter_analyze_scalar: which styles can carry this text unchanged. */
export function analyzeScalar(value: string): ScalarAnalysis {
  const byteLength = Buffer.byteLength(value, "utf8");
  if (value.length === 0) {
    return { multiline: false, flowPlainAllowed: false, blockPlainAllowed: true, singleQuotedAllowed: true, byteLength };
  }
  const chars = Array.from(value);
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;

  if (value.startsWith("---") || value.startsWith("...")) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  let followedByWhitespace = isBlankz(chars[1]);

  chars.forEach((ch, i) => {
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      }
      if (ch === "?" || ch === ":") {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === "-" && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (",?[]{}".includes(ch)) flowIndicators = true;
      if (ch === ":") {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === "#" && precededByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    if (!isPrintable(ch)) specialCharacters = true;
    if (isBreak(ch)) lineBreaks = true;
    if (isSpace(ch)) {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(ch);
    if (i + 1 < chars.length) followedByWhitespace = isBlankz(chars[i + 2]);
  });

  let flowPlainAllowed = true;
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    flowPlainAllowed = false;
    blockPlainAllowed = false;
  }
  if (breakSpace) {
    flowPlainAllowed = false;
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    flowPlainAllowed = false;
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (lineBreaks) {
    flowPlainAllowed = false;
    blockPlainAllowed = false;
  }
  if (flowIndicators) flowPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, flowPlainAllowed, blockPlainAllowed, singleQuotedAllowed, byteLength };
}
