import { describe, expect, it } from "vitest";
import { parseIni } from "./ini.js";

describe("parseIni (botocore's raw_config_parse)", () => {
  it("sections, both separators, lower-cased keys, comments, values kept as written", () => {
    const ini = parseIni("# top\n[default]\nRegion = eu-west-1\noutput: json\n; note\n[profile x]\nkey = a # not a comment\n");
    expect(ini.get("default")).toEqual({ region: "eu-west-1", output: "json" });
    expect(ini.get("profile x")).toEqual({ key: "a # not a comment" });
  });
  it("nested values under an empty key; an empty key alone is an empty value", () => {
    const ini = parseIni("[services dev]\nsts =\n  endpoint_url = http://127.0.0.1:4599\n[p]\naws_session_token =\nregion = x\n");
    expect(ini.get("services dev")).toEqual({ sts: { endpoint_url: "http://127.0.0.1:4599" } });
    expect(ini.get("p")).toEqual({ aws_session_token: "", region: "x" });
  });
  it("a repeated section merges, later keys winning; CRLF line ends", () => {
    expect(parseIni("[a]\r\nx = 1\r\ny = 2\r\n[a]\r\nx = 3\r\n").get("a")).toEqual({ x: "3", y: "2" });
  });
  it("refuses what is not a config file", () => {
    expect(() => parseIni("key = value\n")).toThrow(/outside any \[section\]/);
    expect(() => parseIni("[a]\njust words\n")).toThrow(/line 2/);
  });
});
