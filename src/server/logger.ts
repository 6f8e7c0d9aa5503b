/**
 * Structured logs (pino) on stderr. Log lines carry only what we put in them: request id,
 * action, status, error code, timing. Headers, bodies, secrets, session tokens and MFA codes
 * are never passed in; the redact list is a second line of defence for causes of 500s. The audit
 * trail is not a log line: it has its own redaction (audit/redaction.ts).
 */
import { pino } from "pino";
import type { Logger } from "../deps.js";

export type { Logger };

const REDACT = [
  "*.authorization",
  "*.Authorization",
  "*.secret",
  "*.secretAccessKey",
  "*.SecretAccessKey",
  "*.sessionToken",
  "*.SessionToken",
  "*.tokenCode",
  "*.TokenCode",
  "*.authenticationCode1",
  "*.AuthenticationCode1",
  "*.authenticationCode2",
  "*.AuthenticationCode2",
  "*.Base32StringSeed",
  "*.base32StringSeed",
  "*.QRCodePNG",
  "*.password",
  "*.sealedSecret",
  "*.sealedSeed",
  "*.seed",
  "headers",
  "body",
];

export function createLogger(level: string = "info", destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino({ level, base: undefined, redact: { paths: REDACT, censor: "[redacted]" } }, destination);
}

export const silentLogger: Logger = pino({ level: "silent" });
