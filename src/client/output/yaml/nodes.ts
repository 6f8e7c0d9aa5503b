/**
 * ruamel.yaml's SafeRepresenter and the C serializer's anchoring, for JSON-like data: the node
 * graph the emitter walks.
 *
 * - mapping keys are sorted (sort_base_mapping_type_on_output);
 * - scalars are `str(int)`, `repr(float).lower()`, `true`/`false`, `null`;
 * - the same list or dict object met twice is one node: it gets an anchor `&id001` where it
 *   first appears and is an alias `*id001` after (a --query like `[Credentials, Credentials]`
 *   returns one object twice). Anchors are numbered in the order their second use is found.
 */
import { compareCodePoints, isObject, isPyInt, pyFloatRepr } from "../python/values.js";
import { resolvesToString } from "./resolver.js";

export interface ScalarNode {
  kind: "scalar";
  value: string;
  /** The plain form reads back as the same type (libyaml's plain_implicit). */
  plainImplicit: boolean;
  /** A quoted form reads back as the same type (true for strings only). */
  quotedImplicit: boolean;
}
export interface SequenceNode {
  kind: "sequence";
  items: Node[];
}
export interface MappingNode {
  kind: "mapping";
  pairs: [Node, Node][];
}
export type Node = ScalarNode | SequenceNode | MappingNode;

export function represent(data: unknown): Node {
  const represented = new Map<object, Node>();
  const go = (value: unknown): Node => {
    if (typeof value === "string") return { kind: "scalar", value, plainImplicit: resolvesToString(value), quotedImplicit: true };
    if (value === null || value === undefined) return nonString("null");
    if (typeof value === "boolean") return nonString(value ? "true" : "false");
    if (typeof value === "number") return nonString(yamlNumber(value));
    const seen = represented.get(value as object);
    if (seen) return seen;
    if (Array.isArray(value)) {
      const node: SequenceNode = { kind: "sequence", items: [] };
      represented.set(value, node);
      for (const item of value) node.items.push(go(item));
      return node;
    }
    if (isObject(value)) {
      const node: MappingNode = { kind: "mapping", pairs: [] };
      represented.set(value, node);
      for (const key of Object.keys(value).sort(compareCodePoints)) node.pairs.push([go(key), go(value[key])]);
      return node;
    }
    return go(String(value));
  };
  return go(data);
}

function nonString(value: string): ScalarNode {
  // int, float, bool and null reprs always resolve back to their own type.
  return { kind: "scalar", value, plainImplicit: true, quotedImplicit: false };
}

function yamlNumber(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (n === Infinity) return ".inf";
  if (n === -Infinity) return "-.inf";
  if (isPyInt(n)) return Object.is(n, -0) ? "0" : BigInt(n).toString();
  return pyFloatRepr(n).toLowerCase();
}

/** The C serializer's `_anchor_node`: a name for every node reached more than once. */
export function assignAnchors(root: Node): Map<Node, string> {
  const visits = new Map<Node, string | null>();
  let lastAliasId = 0;
  const walk = (node: Node): void => {
    if (visits.has(node)) {
      if (visits.get(node) === null) {
        lastAliasId += 1;
        visits.set(node, `id${String(lastAliasId).padStart(3, "0")}`);
      }
      return;
    }
    visits.set(node, null);
    if (node.kind === "sequence") node.items.forEach(walk);
    else if (node.kind === "mapping") {
      for (const [key, value] of node.pairs) {
        walk(key);
        walk(value);
      }
    }
  };
  walk(root);
  const anchors = new Map<Node, string>();
  for (const [node, name] of visits) if (name !== null) anchors.set(node, name);
  return anchors;
}
