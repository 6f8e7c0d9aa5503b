import { describe, expect, it } from "vitest";
import { cliTimestamp, formEncode, queryBody } from "./sts-request.js";

describe("the wire", () => {
  it("form-encodes like Python's quote_plus", () => {
    expect(formEncode("abc def ghi")).toBe("abc+def+ghi");
    expect(formEncode("arn:aws:iam::1:mfa/a")).toBe("arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fa");
    expect(formEncode("*~!'()_.-")).toBe("%2A~%21%27%28%29_.-");
    expect(formEncode("é")).toBe("%C3%A9");
  });
  it("Action and Version first, then the parameters in order", () => {
    expect(queryBody("GetSessionToken", new Map<string, string | number>([["DurationSeconds", 900], ["TokenCode", "123456"]]))).toBe(
      "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900&TokenCode=123456",
    );
  });
});

describe("cliTimestamp (aws CLI v2: datetime.isoformat of the parsed UTC time)", () => {
  it.each([
    ["2011-07-11T19:55:29.611Z", "2011-07-11T19:55:29.611000+00:00"],
    ["2024-09-14T08:25:05Z", "2024-09-14T08:25:05+00:00"],
    ["2024-09-14T08:25:05.000Z", "2024-09-14T08:25:05+00:00"],
    ["2024-09-14T08:25:05.1234567Z", "2024-09-14T08:25:05.123456+00:00"],
    ["2024-09-14T10:25:05+02:00", "2024-09-14T08:25:05+00:00"],
  ])("%s → %s", (wire, printed) => expect(cliTimestamp(wire)).toBe(printed));
});
