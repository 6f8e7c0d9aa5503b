import type { SigV4Auth } from "./types.js";
import { MAX_CLOCK_SKEW_MS } from "./constants.js";

/** Outcome of a check whose failure AWS reports with a specific message. */
export type CheckResult = { ok: true } | { ok: false; message: string };

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Milliseconds since the epoch for an ISO-8601 basic-format UTC time (YYYYMMDDTHHMMSSZ), or
 * undefined when the string is not exactly that or is not a real instant (20150231T..., hour 24,
 * second 60). Real-date checking matters: the date is part of what is signed, and "20150231"
 * must not be silently read as March 3rd.
 */
export function parseAmzDate(s: string): number | undefined {
  // Every request of a second carries the same X-Amz-Date, and each is read twice (parse, then
  // the time window): the last answer is kept.
  if (s === lastParsed.text) return lastParsed.ms;
  const ms = parseAmzDateUncached(s);
  lastParsed = { text: s, ms };
  return ms;
}
let lastParsed: { text: string; ms: number | undefined } = { text: "", ms: undefined };

function parseAmzDateUncached(s: string): number | undefined {
  const m = AMZ_DATE.exec(s);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number, number, number, number, number, number,
  ];
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 onto 1900-1999.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  const ok =
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month - 1 &&
    d.getUTCDate() === day &&
    d.getUTCHours() === hour &&
    d.getUTCMinutes() === minute &&
    d.getUTCSeconds() === second;
  return ok ? d.getTime() : undefined;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** Format an instant as YYYYMMDDTHHMMSSZ (the form AWS uses in its time-window messages). */
export function formatAmzDate(ms: number): string {
  const d = new Date(ms);
  return (
    pad(d.getUTCFullYear(), 4) +
    pad(d.getUTCMonth() + 1, 2) +
    pad(d.getUTCDate(), 2) +
    "T" +
    pad(d.getUTCHours(), 2) +
    pad(d.getUTCMinutes(), 2) +
    pad(d.getUTCSeconds(), 2) +
    "Z"
  );
}

/** AWS's message for an X-Amz-Date (or Date) that is not ISO-8601 basic format. */
export function badDateMessage(value: string): string {
  return `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`;
}

/**
 * Is the request's X-Amz-Date within 15 minutes of `nowMs` (either way, 15 minutes exactly
 * still accepted)? The same window applies to presigned URLs: STS ignores X-Amz-Expires, so a
 * presigned STS URL is usable from 15 minutes before to 15 minutes after its X-Amz-Date
 * whatever X-Amz-Expires says.
 *
 * `now` is truncated to the second first, as AWS's messages show whole seconds and the window
 * edges must agree with what the message prints. The messages are AWS's, byte for byte.
 */
export function checkRequestTime(auth: SigV4Auth, nowMs: number): CheckResult {
  const requestMs = parseAmzDate(auth.amzDate);
  if (requestMs === undefined) return { ok: false, message: badDateMessage(auth.amzDate) };
  const now = Math.floor(nowMs / 1000) * 1000;
  if (requestMs < now - MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      message:
        `Signature expired: ${auth.amzDate} is now earlier than ` +
        `${formatAmzDate(now - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`,
    };
  }
  if (requestMs > now + MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      message:
        `Signature not yet current: ${auth.amzDate} is still later than ` +
        `${formatAmzDate(now + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`,
    };
  }
  return { ok: true };
}

/**
 * Does the credential scope's date equal the date part of X-Amz-Date? The signing key is
 * derived from the scope date while the time window is checked on X-Amz-Date, so letting them
 * differ would let a signature made with one day's key claim another day's time.
 * AWS reports a mismatch as a signature failure (SignatureDoesNotMatch class).
 */
export function checkScopeDate(auth: SigV4Auth): CheckResult {
  const httpDate = auth.amzDate.slice(0, 8);
  if (auth.scopeDate === httpDate) return { ok: true };
  return {
    ok: false,
    // UNCONFIRMED for STS: text as AWS (DynamoDB) answers it, captured by AWS emulators.
    message:
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
      `'${auth.scopeDate}' != '${httpDate}', from '${auth.amzDate}'.`,
  };
}
