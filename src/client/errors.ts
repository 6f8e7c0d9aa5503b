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
