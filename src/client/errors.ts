/**
 * What the client prints when it fails, and with which exit code, as aws CLI v2 does
 * (spec §8.7): 252 parameter errors, 253 configuration, 254 a service error, 255 anything else.
 * The message is printed as "\n" + message + "\n" on stderr.
 */
export const EXIT = {
  ok: 0,
  parameter: 252,
  configuration: 253,
  service: 254,
  general: 255,
} as const;

export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CliError";
  }
}

/** Runs a command step: a CliError is printed as the aws CLI prints it and becomes the exit code. */
export async function exitCodeOf(step: () => Promise<number | void>, stderr: (text: string) => void): Promise<number> {
  try {
    return (await step()) ?? EXIT.ok;
  } catch (e) {
    if (e instanceof CliError) {
      stderr(`\n${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
