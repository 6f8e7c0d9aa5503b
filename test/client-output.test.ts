/**
 * src/client/output against aws CLI v2 itself (/usr/bin/aws 2.9.19, Debian's awscli).
 *
 * A fixture STS on 127.0.0.1 answers every POST with a recorded XML body picked by Action;
 * the real `aws sts get-session-token` / `get-caller-identity` runs against it for every
 * --output format and a set of --query expressions, and its stdout, stderr and exit code
 * must equal what formatOutput makes of the same response as botocore parses it.
 *
 * The unit tests at the end pin table.py's edge cases; their expected texts were produced by
 * awscli/formatter.py `TableFormatter` and table.py `Section` of the same installation.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_TERMINAL_WIDTH,
  FormatterError,
  formatOutput,
  InvalidQueryError,
  QueryEvaluationError,
  type OutputFormat,
} from "../src/client/output/index.js";
import { Section } from "../src/client/output/table/section.js";
import { EXAMPLE_CREDENTIALS, GET_CALLER_IDENTITY_XML, getSessionTokenXml } from "./helpers/sts-responses.js";

const AWS = "/usr/bin/aws";
const FORMATS: OutputFormat[] = ["json", "text", "table", "yaml", "yaml-stream"];

// --- the recorded responses, and the same as botocore parses them for the formatter ---

const CREDENTIALS = EXAMPLE_CREDENTIALS;

interface Fixture {
  command: "get-session-token" | "get-caller-identity";
  operationName: string;
  xml: string;
  /** Model member order; timestamps as aws CLI v2 prints them (datetime.isoformat()). */
  parsed: unknown;
}

const FIXTURES = {
  gst: {
    command: "get-session-token",
    operationName: "GetSessionToken",
    xml: getSessionTokenXml("2011-07-11T19:55:29.611Z"),
    parsed: { Credentials: { ...CREDENTIALS, Expiration: "2011-07-11T19:55:29.611000+00:00" } },
  },
  gstWhole: {
    command: "get-session-token",
    operationName: "GetSessionToken",
    xml: getSessionTokenXml("2024-09-14T08:25:05Z"),
    parsed: { Credentials: { ...CREDENTIALS, Expiration: "2024-09-14T08:25:05+00:00" } },
  },
  gci: {
    command: "get-caller-identity",
    operationName: "GetCallerIdentity",
    xml: GET_CALLER_IDENTITY_XML,
    parsed: { UserId: "AIDACKCEVSQ6C2EXAMPLE", Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/Alice" },
  },
} satisfies { [name: string]: Fixture };
type FixtureName = keyof typeof FIXTURES;

// --- the cases: what aws is run with ---

interface Case {
  fixture: FixtureName;
  output: OutputFormat;
  query?: string;
  color?: boolean;
}

const GST_QUERIES: (string | undefined)[] = [
  undefined,
  "Credentials.AccessKeyId",
  "[Credentials.AccessKeyId,Credentials.SecretAccessKey,Credentials.SessionToken]",
  "Credentials",
  "Credentials.[AccessKeyId,SessionToken]",
  "Nope",
  "Credentials.Expiration",
  "length(Credentials.AccessKeyId)", // a number
  "contains(Credentials.AccessKeyId, 'ASIA')", // a boolean
  "{ids: [Credentials.AccessKeyId], parts: [Credentials.SessionToken, Credentials.Expiration]}", // an object of lists
  "[]", // flatten of an object: null
  "`[]`", // an empty list
];
const GCI_QUERIES: (string | undefined)[] = [undefined, "Account", "[Arn, UserId]", "length(Arn)"];

const CASES: Case[] = [
  ...FORMATS.flatMap((output) => GST_QUERIES.map((query): Case => ({ fixture: "gst", output, query }))),
  ...FORMATS.flatMap((output) => GCI_QUERIES.map((query): Case => ({ fixture: "gci", output, query }))),
  // A timestamp without a fraction.
  ...FORMATS.map((output): Case => ({ fixture: "gstWhole", output })),
  { fixture: "gstWhole", output: "yaml", query: "Credentials.Expiration" },
  // --color on: only the table changes (colorama's reset after every write included).
  ...(["json", "yaml", "table"] as const).map((output): Case => ({ fixture: "gst", output, color: true })),
  { fixture: "gst", output: "table", query: "[Credentials.AccessKeyId, Nope]", color: true },
  // Without a terminal aws assumes 80 columns: this one-row table is wider, so it turns vertical...
  { fixture: "gst", output: "table", query: "{a: Credentials.AccessKeyId, b: Credentials.SecretAccessKey, c: Credentials.SessionToken}" },
  // ...and this one fits, so it keeps its header row.
  { fixture: "gst", output: "table", query: "{a: Credentials.AccessKeyId, b: Credentials.SessionToken}" },
];

// Queries that fail, with the error aws prints.
interface ErrorCase {
  fixture: FixtureName;
  output: OutputFormat;
  query: string;
  error: typeof InvalidQueryError | typeof QueryEvaluationError | typeof FormatterError;
}
const ERROR_CASES: ErrorCase[] = [
  { fixture: "gst", output: "json", query: "Credentials.[", error: InvalidQueryError },
  { fixture: "gst", output: "json", query: "Credentials.AccessKeyId + `1`", error: InvalidQueryError },
  { fixture: "gst", output: "text", query: "a foo", error: InvalidQueryError },
  { fixture: "gst", output: "json", query: 'Credentials."\\q"', error: InvalidQueryError },
  { fixture: "gci", output: "json", query: "", error: InvalidQueryError },
  { fixture: "gst", output: "json", query: "abs(Credentials.AccessKeyId)", error: QueryEvaluationError },
  { fixture: "gci", output: "yaml", query: "foo(@)", error: QueryEvaluationError },
  { fixture: "gst", output: "table", query: "[Credentials.AccessKeyId, [Credentials.AccessKeyId, Credentials.SessionToken]]", error: FormatterError },
];

// --- running aws ---

interface AwsRun {
  stdout: string;
  stderr: string;
  code: number;
}

const runs = new Map<string, AwsRun>();
const servers: Server[] = [];
const ports = new Map<FixtureName, number>();
let home = "";

const keyOf = (c: { fixture: string; output: string; query?: string; color?: boolean }) =>
  JSON.stringify([c.fixture, c.output, c.query ?? null, c.color ?? false]);

/** Answers every POST with the fixture's body for the Action asked (GetCallerIdentity or GetSessionToken). */
function startFixtureServer(gst: string, gci: string): Promise<number> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const action = new URLSearchParams(body).get("Action");
      const xml = action === "GetCallerIdentity" ? gci : gst;
      res.writeHead(200, { "Content-Type": "text/xml", "x-amzn-RequestId": "58c5dbae-abef-11e0-8cfe-09039844ac7d" });
      res.end(xml);
    });
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

function runAws(c: { fixture: FixtureName; output: string; query?: string; color?: boolean }): Promise<AwsRun> {
  const fixture = FIXTURES[c.fixture];
  const args = ["--endpoint-url", `http://127.0.0.1:${ports.get(c.fixture)}`, "--region", "us-east-1", "sts", fixture.command, "--output", c.output];
  if (c.query !== undefined) args.push("--query", c.query);
  if (c.color) args.push("--color", "on");
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    AWS_CONFIG_FILE: join(home, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-credentials"),
    AWS_PAGER: "",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
  };
  return new Promise((resolve) => {
    execFile(AWS, args, { env, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ stdout, stderr, code });
    });
  });
}

/** Runs everything up front, 8 at a time (each aws start costs about half a second). */
async function runAll(all: { fixture: FixtureName; output: string; query?: string; color?: boolean }[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < all.length) {
      const c = all[next++] as (typeof all)[number];
      runs.set(keyOf(c), await runAws(c));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

function awsRun(c: Parameters<typeof keyOf>[0]): AwsRun {
  const result = runs.get(keyOf(c));
  if (!result) throw new Error(`aws was not run for ${keyOf(c)}`);
  return result;
}

const title = (c: { fixture: string; output: string; query?: string; color?: boolean }) =>
  `${FIXTURES[c.fixture as FixtureName].command} --output ${c.output}${c.query !== undefined ? ` --query '${c.query}'` : ""}${c.color ? " --color on" : ""}`;

describe("formatOutput is byte-for-byte aws CLI v2's stdout", () => {
  beforeAll(async () => {
    // A missing reference client fails the comparison; it never skips it (.ci/run installs it).
    if (!existsSync(AWS)) throw new Error(`${AWS} (aws CLI v2) is missing: apt-get install -y awscli`);
    home = mkdtempSync(join(tmpdir(), "client-output-"));
    ports.set("gst", await startFixtureServer(FIXTURES.gst.xml, FIXTURES.gci.xml));
    ports.set("gci", ports.get("gst") as number);
    ports.set("gstWhole", await startFixtureServer(FIXTURES.gstWhole.xml, FIXTURES.gci.xml));
    await runAll([...CASES, ...ERROR_CASES]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    if (home) rmSync(home, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(title(c), () => {
      const aws = awsRun(c);
      expect(aws.stderr).toBe("");
      expect(aws.code).toBe(0);
      const fixture = FIXTURES[c.fixture];
      const ours = formatOutput(structuredClone(fixture.parsed), {
        output: c.output,
        query: c.query,
        operationName: fixture.operationName,
        color: c.color ?? false,
      });
      expect(ours).toBe(aws.stdout);
    });
  }

  for (const c of ERROR_CASES) {
    it(`${title(c)} fails as aws does (${c.error.name})`, () => {
      const aws = awsRun(c);
      const fixture = FIXTURES[c.fixture];
      let thrown: unknown;
      try {
        formatOutput(structuredClone(fixture.parsed), { output: c.output, query: c.query, operationName: fixture.operationName, color: false });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(c.error);
      const error = thrown as InstanceType<typeof c.error>;
      expect(`\n${error.message}\n`).toBe(aws.stderr);
      expect(error.exitCode).toBe(aws.code);
      expect(error instanceof FormatterError ? error.stdout : "").toBe(aws.stdout);
    });
  }
});

// --- table.py edge cases (expected texts from awscli/table.py 2.9.19) ---

const table = (data: unknown, terminalWidth?: number) =>
  formatOutput({ R: data }, { output: "table", query: "R", operationName: "GetSessionToken", color: false, terminalWidth });

describe("table layout (table.py)", () => {
  const wide = { A: CREDENTIALS.AccessKeyId, B: CREDENTIALS.SecretAccessKey, C: CREDENTIALS.SessionToken };

  it("assumes an 80-column terminal by default, as aws does without a TTY", () => {
    expect(DEFAULT_TERMINAL_WIDTH).toBe(80);
  });

  it("turns a one-row section wider than the terminal into header | value rows", () => {
    expect(table(wide)).toBe(
      "----------------------------------------------------\n" +
        "|                  GetSessionToken                 |\n" +
        "+---+----------------------------------------------+\n" +
        "|  A|  ASIAIOSFODNN7EXAMPLE                        |\n" +
        "|  B|  wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY   |\n" +
        "|  C|  AQoEXAMPLEH4aoAH0gNCAPy                     |\n" +
        "+---+----------------------------------------------+\n",
    );
  });

  it("keeps the header row when the terminal is wide enough, and never wraps", () => {
    expect(table(wide, 120)).toBe(
      "--------------------------------------------------------------------------------------------------\n" +
        "|                                         GetSessionToken                                        |\n" +
        "+----------------------+---------------------------------------------+---------------------------+\n" +
        "|           A          |                      B                      |             C             |\n" +
        "+----------------------+---------------------------------------------+---------------------------+\n" +
        "|  ASIAIOSFODNN7EXAMPLE|  wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY  |  AQoEXAMPLEH4aoAH0gNCAPy  |\n" +
        "+----------------------+---------------------------------------------+---------------------------+\n",
    );
  });

  it("stretches columns to a title wider than them", () => {
    expect(table({ AVeryLongSectionTitleThatIsWiderThanItsColumns: { a: "1", bb: "22", ccc: "333" } })).toBe(
      "--------------------------------------------------\n" +
        "|                 GetSessionToken                |\n" +
        "+------------------------------------------------+\n" +
        "||AVeryLongSectionTitleThatIsWiderThanItsColumns||\n" +
        "|+-----------+---------------+------------------+|\n" +
        "||     a     |      bb       |       ccc        ||\n" +
        "|+-----------+---------------+------------------+|\n" +
        "||  1        |  22           |  333             ||\n" +
        "|+-----------+---------------+------------------+|\n",
    );
  });

  it("counts East Asian wide characters as two columns", () => {
    expect(table({ 名前: "漢字テスト", b: "x" })).toBe(
      "---------------------\n" +
        "|  GetSessionToken  |\n" +
        "+----+--------------+\n" +
        "|  b |    名前      |\n" +
        "+----+--------------+\n" +
        "|  x |  漢字テスト  |\n" +
        "+----+--------------+\n",
    );
  });

  it("gives a list of dicts one section per element when they nest, '' for missing keys", () => {
    expect(table({ Users: [{ Name: "a", Id: 1, Tags: [{ K: "x" }] }, { Name: "bb", Extra: true }] })).toBe(
      "---------------------------\n" +
        "|     GetSessionToken     |\n" +
        "+-------------------------+\n" +
        "||         Users         ||\n" +
        "|+-------+------+--------+|\n" +
        "|| Extra | Id   | Name   ||\n" +
        "|+-------+------+--------+|\n" +
        "||       |  1   |  a     ||\n" +
        "|+-------+------+--------+|\n" +
        "|||        Tags         |||\n" +
        "||+---------------------+||\n" +
        "|||          K          |||\n" +
        "||+---------------------+||\n" +
        "|||  x                  |||\n" +
        "||+---------------------+||\n" +
        "||         Users         ||\n" +
        "|+-------+------+--------+|\n" +
        "|| Extra | Id   | Name   ||\n" +
        "|+-------+------+--------+|\n" +
        "||  True |      |  bb    ||\n" +
        "|+-------+------+--------+|\n",
    );
  });

  it("fails like table.py on rows of different widths", () => {
    expect(() => table([["a"], ["b", "c"]])).toThrow(new FormatterError("Row should have 1 elements, instead it has 2"));
  });

  it("scales column widths to the section width with round-half-even, then corrects one unit at a time", () => {
    const section = new Section();
    section.addRow(["abc", "defgh", "ijklmno"]);
    const widths = [26, 40, 41, 57, 13].map((max) => section.calculateColumnWidths(4, max));
    expect(widths).toEqual([
      [6, 9, 11],
      [10, 13, 17],
      [10, 14, 17],
      [15, 19, 23],
      [3, 4, 6],
    ]);
  });
});
