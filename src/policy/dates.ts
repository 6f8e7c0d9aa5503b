/**
 * Date values of Date* conditions (spec §1.1, §3.2): "W3C ISO 8601 formats or epoch (UNIX)
 * seconds". IAM checks them when the policy is written ("The policy failed legacy parsing"), and
 * what it accepts is a lenient ISO grammar, not W3C's profile: "01T", "2016-12-13t2:00:00.593194+23"
 * and "-292275054" are accepted; "234-13", an offset "+1", ten fraction digits and an epoch beyond
 * a signed 64-bit integer are not (the AWS-validated cases in testdata). Those answers fit, case
 * for case, the ISO parser of Java's Joda-Time (dateTimeParser: one-digit fields, a lower-case
 * "t", year −292275054…292278993, up to nine fraction digits, offsets with two-digit hours), so
 * this file implements that grammar:
 *
 *   value        = time-only | date-opt-time            (the longest match wins)
 *   time-only    = 'T' time [offset]
 *   date-opt-time= date ['T' [time] [offset]]
 *   date         = year ['-' MM ['-' dd]] | year '-W' ww ['-' e] | year '-' DDD
 *   time         = HH [':' mm [':' ss [frac] | frac] | frac]
 *   frac         = ('.' | ',') 1-9 digits
 *   offset       = 'Z' | ('+' | '-') hh [[':'] mm [[':'] ss [['.'] SSS]]]
 *
 * Letters are case-insensitive; numeric fields take 1 to their width in digits; a missing part
 * defaults to 1970-01-01T00:00:00 as Joda's does (so a week date without a day is that week's
 * Thursday), and a missing offset means UTC.
 * Everything returns epoch milliseconds, for evaluation as well as for validation.
 */

const EPOCH = /^[+-]?[0-9]+$/;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const MIN_YEAR = -292275054;
const MAX_YEAR = 292278993;

const MS_SECOND = 1000;
const MS_MINUTE = 60 * MS_SECOND;
const MS_HOUR = 60 * MS_MINUTE;
const MS_DAY = 24 * MS_HOUR;

/** Epoch milliseconds, or undefined when IAM would reject the value. */
export function parsePolicyDate(text: string): number | undefined {
  // All digits: epoch seconds, as long as they fit Java's long (the recorded overflow case).
  // UNCONFIRMED: that evaluation reads such values as epoch seconds rather than as a year; AWS
  // documents epoch seconds, and validation accepts exactly the same strings either way.
  if (EPOCH.test(text)) {
    const seconds = BigInt(text);
    return seconds >= LONG_MIN && seconds <= LONG_MAX ? Number(seconds) * MS_SECOND : undefined;
  }
  return parseIso(text);
}

interface Fields {
  year?: number;
  month?: number;
  day?: number;
  dayOfYear?: number;
  weekyear?: number;
  week?: number;
  dayOfWeek?: number;
  hour?: number;
  minute?: number;
  second?: number;
  /** Sub-unit part of the smallest time field, already in milliseconds. */
  fractionMs?: number;
  offsetMs?: number;
}

/** A parse step: reads from `at`, records into `f`, returns the new position or -1. */
type Step = (text: string, at: number, f: Fields) => number;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** 1..max digits (after an optional sign when signed), greedy, as Joda's number parser. */
function number(text: string, at: number, max: number, signed: boolean): { value: number; end: number } | undefined {
  let i = at;
  let sign = 1;
  if (signed && (text[i] === "-" || text[i] === "+")) {
    if (text[i] === "-") sign = -1;
    i++;
  }
  const start = i;
  while (i - start < max && isDigit(text.charCodeAt(i))) i++;
  if (i === start) return undefined;
  return { value: sign * Number(text.slice(start, i)), end: i };
}

const literal =
  (word: string): Step =>
  (text, at) =>
    text.slice(at, at + word.length).toUpperCase() === word ? at + word.length : -1;

const field =
  (name: keyof Fields, max: number, signed = false): Step =>
  (text, at, f) => {
    const n = number(text, at, max, signed);
    if (n === undefined) return -1;
    f[name] = n.value;
    return n.end;
  };

/** Steps one after another. */
const seq =
  (...steps: Step[]): Step =>
  (text, at, f) => {
    for (const step of steps) {
      at = step(text, at, f);
      if (at < 0) return -1;
    }
    return at;
  };

/**
 * Alternatives, as Joda's matching parser: the first that reaches the end of the text wins,
 * otherwise the one that got furthest (the earlier on a tie). `optional` adds "nothing".
 */
const oneOf =
  (steps: Step[], optional = false): Step =>
  (text, at, f) => {
    let best = -1;
    let bestFields: Fields | undefined;
    for (const step of steps) {
      const trial: Fields = { ...f };
      const end = step(text, at, trial);
      if (end >= text.length) {
        Object.assign(f, trial);
        return end;
      }
      if (end > best) {
        best = end;
        bestFields = trial;
      }
    }
    if (bestFields !== undefined && best > at) {
      Object.assign(f, bestFields);
      return best;
    }
    return optional ? at : best;
  };

const optional = (step: Step): Step => oneOf([step], true);

/** A fraction: up to nine digits, kept to whole milliseconds of `unitMs` (Joda truncates too). */
const fraction =
  (unitMs: number): Step =>
  (text, at, f) => {
    const sep = text[at];
    if (sep !== "." && sep !== ",") return -1;
    let i = at + 1;
    while (i - (at + 1) < 9 && isDigit(text.charCodeAt(i))) i++;
    if (i === at + 1) return -1;
    f.fractionMs = Math.floor(Number("0." + text.slice(at + 1, i)) * unitMs);
    return i;
  };

/** Joda's offset reader: two-digit hours (≤ 23), then optionally minutes, seconds, milliseconds. */
const offset: Step = (text, at, f) => {
  const c = text[at];
  if (c === "Z" || c === "z") {
    f.offsetMs = 0;
    return at + 1;
  }
  if (c !== "+" && c !== "-") return -1;
  const two = (i: number): number | undefined =>
    isDigit(text.charCodeAt(i)) && isDigit(text.charCodeAt(i + 1)) ? Number(text.slice(i, i + 2)) : undefined;
  let i = at + 1;
  const hours = two(i);
  if (hours === undefined || hours > 23) return -1;
  let ms = hours * MS_HOUR;
  i += 2;
  done: {
    const separated = text[i] === ":";
    if (!separated && !isDigit(text.charCodeAt(i))) break done;
    if (separated) i++;
    const minutes = two(i);
    if (minutes === undefined || minutes > 59) return -1;
    ms += minutes * MS_MINUTE;
    i += 2;
    if (separated) {
      if (text[i] !== ":") break done;
      i++;
    } else if (!isDigit(text.charCodeAt(i))) break done;
    const seconds = two(i);
    if (seconds === undefined || seconds > 59) return -1;
    ms += seconds * MS_SECOND;
    i += 2;
    if (separated) {
      if (text[i] !== "." && text[i] !== ",") break done;
      i++;
    } else if (!isDigit(text.charCodeAt(i))) break done;
    let digits = 0;
    while (digits < 3 && isDigit(text.charCodeAt(i + digits))) digits++;
    if (digits === 0) return -1;
    ms += Number(text.slice(i, i + digits).padEnd(3, "0"));
    i += digits;
  }
  f.offsetMs = c === "-" ? -ms : ms;
  return i;
};

const time: Step = seq(
  field("hour", 2),
  oneOf(
    [
      seq(literal(":"), field("minute", 2), oneOf([seq(literal(":"), field("second", 2), optional(fraction(MS_SECOND))), fraction(MS_MINUTE)], true)),
      fraction(MS_HOUR),
    ],
    true,
  ),
);

const date: Step = oneOf([
  seq(field("year", 9, true), optional(seq(literal("-"), field("month", 2), optional(seq(literal("-"), field("day", 2)))))),
  seq(field("weekyear", 9, true), literal("-W"), field("week", 2), optional(seq(literal("-"), field("dayOfWeek", 1)))),
  seq(field("year", 9, true), literal("-"), field("dayOfYear", 3)),
]);

const value: Step = oneOf([
  seq(literal("T"), time, optional(offset)),
  seq(date, optional(seq(literal("T"), optional(time), optional(offset)))),
]);

function parseIso(text: string): number | undefined {
  const f: Fields = {};
  if (value(text, 0, f) !== text.length) return undefined;
  const day = dayNumber(f);
  if (day === undefined) return undefined;
  const { hour = 0, minute = 0, second = 0, fractionMs = 0, offsetMs = 0 } = f;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return day * MS_DAY + hour * MS_HOUR + minute * MS_MINUTE + second * MS_SECOND + fractionMs - offsetMs;
}

/** Days since 1970-01-01 of the parsed date fields, or undefined when one is out of range. */
function dayNumber(f: Fields): number | undefined {
  const inRange = (y: number): boolean => y >= MIN_YEAR && y <= MAX_YEAR;
  if (f.weekyear !== undefined) {
    const { weekyear, week = 1, dayOfWeek = 4 } = f; // 1970-01-01 was a Thursday of week 1
    if (!inRange(weekyear) || week < 1 || week > weeksInYear(weekyear) || dayOfWeek < 1 || dayOfWeek > 7) return undefined;
    const jan4 = daysFromCivil(weekyear, 1, 4);
    return jan4 - (isoWeekday(jan4) - 1) + (week - 1) * 7 + (dayOfWeek - 1);
  }
  const year = f.year ?? 1970;
  if (!inRange(year)) return undefined;
  if (f.dayOfYear !== undefined) {
    if (f.dayOfYear < 1 || f.dayOfYear > (isLeap(year) ? 366 : 365)) return undefined;
    return daysFromCivil(year, 1, 1) + f.dayOfYear - 1;
  }
  const { month = 1, day = 1 } = f;
  if (month < 1 || month > 12 || day < 1 || day > monthLength(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const monthLength = (y: number, m: number): number => (m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);
/** 1 = Monday … 7 = Sunday. */
const isoWeekday = (days: number): number => ((((days + 3) % 7) + 7) % 7) + 1;

function weeksInYear(y: number): number {
  const p = (x: number): number => (((x + Math.floor(x / 4) - Math.floor(x / 100) + Math.floor(x / 400)) % 7) + 7) % 7;
  return p(y) === 4 || p(y - 1) === 3 ? 53 : 52;
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
