/**
 * A strict parser of Prometheus's text exposition format (version 0.0.4), for tests: anything a
 * Prometheus server would refuse or read differently is an error here, not skipped. Checked:
 * metric and label name grammar, label value escapes, float values (Go's ParseFloat, NaN and ±Inf
 * in any case), one HELP and one
 * TYPE per family and before its samples, a family's samples together, no series twice,
 * histogram series (_bucket with le, ascending and cumulative, ending at +Inf; _sum; _count
 * equal to the +Inf bucket), and a final newline.
 */

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  type: MetricType;
  help: string | undefined;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: ReadonlySet<string> = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export class PrometheusParseError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

/** A value as Prometheus reads it: Go's ParseFloat, whose NaN and Inf ignore case (prom-client writes `Nan`). */
function parseValue(text: string, line: number): number {
  if (/^nan$/i.test(text)) return NaN;
  const infinite = /^([-+]?)(inf|infinity)$/i.exec(text);
  if (infinite) return infinite[1] === "-" ? -Infinity : Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new PrometheusParseError(line, `not a number: ${JSON.stringify(text)}`);
  return Number(text);
}

/** Labels from just after `{`; returns them and the index just after `}`. */
function parseLabels(text: string, start: number, line: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start;
  for (;;) {
    if (text[i] === "}") return [labels, i + 1];
    const eq = text.indexOf("=", i);
    if (eq < 0) throw new PrometheusParseError(line, "label without =");
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new PrometheusParseError(line, `bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new PrometheusParseError(line, `label ${name} twice`);
    if (text[eq + 1] !== '"') throw new PrometheusParseError(line, "label value not quoted");
    let value = "";
    let j = eq + 2;
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new PrometheusParseError(line, "unterminated label value");
      if (c === '"') break;
      if (c === "\\") {
        const next = text[j + 1];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else throw new PrometheusParseError(line, `bad escape \\${next ?? ""}`);
        j += 2;
      } else {
        value += c;
        j++;
      }
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
    else if (text[i] !== "}") throw new PrometheusParseError(line, "expected , or } after a label");
  }
}

/** The family a sample belongs to: histogram and summary series carry suffixes. */
function familyOf(sampleName: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  const exact = families.get(sampleName);
  if (exact) return exact;
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, -suffix.length));
    if (family && (family.type === "histogram" || (family.type === "summary" && suffix !== "_bucket"))) return family;
  }
  return undefined;
}

function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      entry.buckets.push([parseValue(le, 0), s.value]);
    } else if (s.name.endsWith("_sum")) entry.sum = s.value;
    else if (s.name.endsWith("_count")) entry.count = s.value;
    else throw new Error(`${family.name}: sample ${s.name} in a histogram`);
  }
  for (const [key, { buckets, sum, count }] of series) {
    if (sum === undefined || count === undefined) throw new Error(`${family.name}${key}: _sum or _count missing`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]![0] > buckets[i - 1]![0])) throw new Error(`${family.name}${key}: buckets not ascending`);
      if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${family.name}${key}: buckets not cumulative`);
    }
    const last = buckets.at(-1);
    if (last === undefined || last[0] !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    if (last[1] !== count) throw new Error(`${family.name}${key}: _count ${count} is not the +Inf bucket's ${last[1]}`);
  }
}

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (text !== "" && !text.endsWith("\n")) throw new PrometheusParseError(0, "no final newline");
  const families = new Map<string, MetricFamily>();
  const seriesSeen = new Set<string>();
  const closed = new Set<string>();
  let current: MetricFamily | undefined;
  const lines = text.split("\n");
  lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    const meta = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(raw);
    if (meta) {
      const [, kind, name, rest = ""] = meta;
      if (!METRIC_NAME.test(name!)) throw new PrometheusParseError(line, `bad metric name ${name}`);
      let family = families.get(name!);
      if (family && closed.has(name!)) throw new PrometheusParseError(line, `${name} again after other families`);
      if (family === undefined) {
        family = { name: name!, type: "untyped", help: undefined, samples: [] };
        families.set(name!, family);
      }
      if (current && current !== family) closed.add(current.name);
      current = family;
      if (kind === "HELP") {
        if (family.help !== undefined) throw new PrometheusParseError(line, `second HELP for ${name}`);
        family.help = rest.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
      } else {
        if (family.samples.length > 0) throw new PrometheusParseError(line, `TYPE for ${name} after its samples`);
        if (!TYPES.has(rest)) throw new PrometheusParseError(line, `unknown type ${rest}`);
        family.type = rest as MetricType;
      }
      return;
    }
    if (raw.startsWith("#")) return; // a comment
    const nameEnd = raw.search(/[{\s]/);
    if (nameEnd <= 0) throw new PrometheusParseError(line, `not a sample: ${JSON.stringify(raw)}`);
    const name = raw.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) throw new PrometheusParseError(line, `bad metric name ${name}`);
    let labels: Record<string, string> = {};
    let rest = nameEnd;
    if (raw[nameEnd] === "{") [labels, rest] = parseLabels(raw, nameEnd + 1, line);
    const fields = raw.slice(rest).trim().split(/\s+/);
    if (fields.length < 1 || fields.length > 2 || fields[0] === "") throw new PrometheusParseError(line, "expected a value and an optional timestamp");
    if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) throw new PrometheusParseError(line, "bad timestamp");
    const value = parseValue(fields[0]!, line);
    let family = familyOf(name, families);
    if (family === undefined) {
      family = { name, type: "untyped", help: undefined, samples: [] };
      families.set(name, family);
    }
    if (closed.has(family.name)) throw new PrometheusParseError(line, `${family.name}'s samples are not together`);
    if (current && current !== family) closed.add(current.name);
    current = family;
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seriesSeen.has(series)) throw new PrometheusParseError(line, `series ${series} twice`);
    seriesSeen.add(series);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) {
    if (family.type === "histogram") checkHistogram(family);
    if (family.type === "counter" && family.samples.some((s) => !(s.value >= 0))) throw new Error(`counter ${family.name} below zero`);
  }
  return families;
}

/** The value of one series (name and exact labels); undefined when there is no such series. */
export function sampleValue(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = familyOf(name, families);
  const want = JSON.stringify(Object.entries(labels).sort());
  return family?.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.value;
}
