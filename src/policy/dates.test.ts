import { describe, expect, it } from "vitest";
import { parsePolicyDate } from "./dates.js";

const utc = (iso: string): number => new Date(iso).getTime();

describe("parsePolicyDate", () => {
  // The values IAM was recorded accepting and refusing (spec §1.1, testdata cases).
  it.each([
    ["01T", utc("0001-01-01T00:00:00Z")],
    ["2019-07-01T13:20:15Z", utc("2019-07-01T13:20:15Z")],
    ["2016-12-13T21:20:37.593194+00:00", utc("2016-12-13T21:20:37.593Z")],
    ["2016-12-13t2:00:00.593194+23", utc("2016-12-13T02:00:00.593Z") - 23 * 3600_000],
    ["-292275054", -292275054_000],
    ["2017-07-01T00:00:00Z", utc("2017-07-01T00:00:00Z")],
  ])("accepts %s (AWS accepted it)", (text, ms) => expect(parsePolicyDate(text)).toBe(ms));

  it.each(["sdfdsf", "234-13", "2016-12-13t2:00:00.593194+1", "2016-12-13t2:00:00.1999999999+10:59", "9223372036854775808"])(
    "refuses %s (AWS refused it)",
    (text) => expect(parsePolicyDate(text)).toBeUndefined(),
  );

  it.each([
    ["1556190000", 1556190000_000],
    ["+5", 5000],
    ["9223372036854775807", 9223372036854775807 * 1000],
    ["2016", 2016_000],
  ])("reads all digits as epoch seconds: %s", (text, ms) => expect(parsePolicyDate(text)).toBe(ms));

  it.each([
    ["2016-05", utc("2016-05-01T00:00:00Z")],
    ["2016-5-3", utc("2016-05-03T00:00:00Z")],
    ["2016-02-29", utc("2016-02-29T00:00:00Z")],
    ["2016-032", utc("2016-02-01T00:00:00Z")],
    ["2016-W05-3", utc("2016-02-03T00:00:00Z")],
    ["2016-w05", utc("2016-02-04T00:00:00Z")],
    ["2016-12-13T", utc("2016-12-13T00:00:00Z")],
    ["2016-12-13T10", utc("2016-12-13T10:00:00Z")],
    ["2016-12-13T10.5", utc("2016-12-13T10:30:00Z")],
    ["2016-12-13T10:30,5", utc("2016-12-13T10:30:30Z")],
    ["2016-12-13T10:30:00+0530", utc("2016-12-13T05:00:00Z")],
    ["2016-12-13T10:30:00-01:00", utc("2016-12-13T11:30:00Z")],
    ["2016-12-13T10:30:00z", utc("2016-12-13T10:30:00Z")],
    ["T10:30", utc("1970-01-01T10:30:00Z")],
    ["+2016-01-01", utc("2016-01-01T00:00:00Z")],
  ])("reads ISO 8601 as Joda-Time's parser: %s", (text, ms) => expect(parsePolicyDate(text)).toBe(ms));

  it.each(["", "2015-02-29", "2016-02-30", "2016-13", "2016-367", "2016-W54", "2016-12-13T24:00", "2016-12-13T10:60", "2016-12-13Z", "2016-12-13T10:30:00+24", "2016-12-13T10:30:00 Z", "1e5"])(
    "refuses %j",
    (text) => expect(parsePolicyDate(text)).toBeUndefined(),
  );
});
