/**
 * The aws CLI's command line, parsed as its argparse parsers do: global options anywhere, the
 * command's own options, `--opt value` or `--opt=value`, the last of a repeated option winning,
 * and its error texts ("argument --output: Invalid choice …", "Unknown options: …", exit 252).
 * Usage texts name `mfa-sts` where the aws CLI names `aws`.
 */
import { closeMatches } from "./close-matches.js";
import { CliError, EXIT } from "./errors.js";
import type { StsOperation } from "./operations.js";

export const PROGRAM = "mfa-sts";

const USAGE =
  `usage: ${PROGRAM} [options] <command> <subcommand> [<subcommand> ...] [parameters]\n` +
  "To see help text, you can run:\n\n" +
  `  ${PROGRAM} help\n  ${PROGRAM} <command> help\n  ${PROGRAM} <command> <subcommand> help\n`;

/** An argparse error: usage, then "PROG: error: MESSAGE", exit 252. */
export const usageError = (message: string): CliError => new CliError(EXIT.parameter, `${USAGE}\n${PROGRAM}: error: ${message}\n`);

interface OptionSpec {
  /** true: takes one value; "optional": an optional value (argparse nargs='?'); false: a flag */
  value: boolean | "optional";
  choices?: readonly string[];
  /** The value an optional-value option takes when given bare. */
  constant?: string;
}

const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "--debug": { value: false },
  "--endpoint-url": { value: true },
  "--no-verify-ssl": { value: false },
  "--no-paginate": { value: false },
  "--output": { value: true, choices: ["json", "text", "table", "yaml", "yaml-stream"] },
  "--query": { value: true },
  "--profile": { value: true },
  "--region": { value: true },
  "--version": { value: false },
  "--color": { value: true, choices: ["on", "off", "auto"] },
  "--no-sign-request": { value: false },
  "--ca-bundle": { value: true },
  "--cli-read-timeout": { value: true },
  "--cli-connect-timeout": { value: true },
  "--cli-binary-format": { value: true, choices: ["base64", "raw-in-base64-out"] },
  "--no-cli-pager": { value: false },
  "--cli-auto-prompt": { value: false },
  "--no-cli-auto-prompt": { value: false },
};

const INPUT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "--cli-input-json": { value: true },
  "--cli-input-yaml": { value: true },
  "--generate-cli-skeleton": { value: "optional", choices: ["input", "output", "yaml-input"], constant: "input" },
};

export interface ParsedArgs {
  /** Option → value ("" for flags), the last occurrence winning. */
  options: ReadonlyMap<string, string>;
  /** The command's own parameter options, in the order the model lists them. */
  parameters: ReadonlyMap<string, string>;
}

/** argparse reads "-5" as a value, not an option, when the parser has no option like it. */
const looksLikeOption = (arg: string): boolean => arg.startsWith("-") && !/^-\d+$|^-\d*\.\d+$/.test(arg);

export function parseArgs(argv: readonly string[], operation: StsOperation): ParsedArgs {
  const specs: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS, ...INPUT_OPTIONS };
  for (const member of operation.input) specs[member.option] = { value: true };
  const options = new Map<string, string>();
  const unknown: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = specs[name];
    if (!spec) {
      unknown.push(arg);
      continue;
    }
    let value: string;
    if (spec.value === false) {
      if (eq > 0) throw usageError(`argument ${name}: ignored explicit argument '${arg.slice(eq + 1)}'`);
      value = "";
    } else if (eq > 0) {
      value = arg.slice(eq + 1);
    } else if (i + 1 < argv.length && !looksLikeOption(argv[i + 1]!)) {
      value = argv[++i]!;
    } else if (spec.value === "optional") {
      value = spec.constant!;
    } else {
      throw usageError(`argument ${name}: expected one argument`);
    }
    if (spec.choices && spec.value !== false && !spec.choices.includes(value)) throw usageError(`argument ${name}: ${invalidChoice(value, spec.choices)}`);
    options.set(name, value);
  }
  if (unknown.length > 0) throw new CliError(EXIT.parameter, `${USAGE}\nUnknown options: ${unknown.join(", ")}\n`);

  const parameters = new Map<string, string>();
  for (const member of operation.input) {
    const value = options.get(member.option);
    if (value !== undefined) parameters.set(member.option, value);
  }
  return { options, parameters };
}

/** awscli's CLIArgParser._check_value: the choices two to a line, each padded to 40. */
function invalidChoice(value: string, choices: readonly string[]): string {
  const lines = ["Invalid choice, valid choices are:\n"];
  for (let i = 0; i < choices.length; i += 2) {
    lines.push(choices.slice(i, i + 2).map((c) => c.padEnd(40)).join(" | "));
  }
  const possible = closeMatches(value, choices, 0.8);
  if (possible.length > 0) {
    lines.push(`\n\nInvalid choice: ${pythonRepr(value)}, maybe you meant:\n`);
    for (const word of possible) lines.push(`  * ${word}`);
  }
  return lines.join("\n");
}

/** Python's repr() of a str, as its error messages quote values. */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const body = text.replace(/[\\\n\r\t]/g, (c) => ({ "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c]!);
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
}
