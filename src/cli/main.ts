/**
 * The `mfa-sts` entry point: the commander program, loaded on demand.
 */
await import("./program.js");
