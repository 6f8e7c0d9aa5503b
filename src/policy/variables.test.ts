import { describe, expect, it } from "vitest";
import { parseResourceTemplate, parseTemplate, resolveText } from "./variables.js";

const context = new Map([
  ["aws:username", "alice"],
  ["aws:principaltag/team", "red"],
  ["aws:principaltag/cost center", "42"],
]);
const text = (template: string, substitute = true) => resolveText(parseTemplate(template, substitute), context);

describe("policy variables", () => {
  it.each([
    ["${aws:username}", "alice"],
    ["${AWS:USERNAME}", "alice"],
    ["home/${aws:username}/${aws:username}", "home/alice/alice"],
    ["${aws:PrincipalTag/team, 'company-wide'}", "red"],
    ["${aws:PrincipalTag/unit, 'company-wide'}", "company-wide"],
    ["${aws:PrincipalTag/unit,'x'}", "x"],
    ["${aws:PrincipalTag/unit, ''}", ""],
    ["${aws:PrincipalTag/cost center}", "42"],
    ["${*}${?}${$}", "*?$"],
    ["no variables", "no variables"],
    // Not variables: the text stays.
    ["${", "${"],
    ["${}", "${}"],
    ["${aws:username", "${aws:username"],
    ["$${aws:username}}", "$alice}"],
    ["${aws:a}b}", undefined],
  ])("%j → %j", (template, expected) => expect(text(template)).toBe(expected));

  it("a missing key without default resolves to nothing", () => {
    expect(text("x/${aws:userid}")).toBeUndefined();
  });

  it("without Version 2012-10-17 nothing is substituted", () => {
    expect(text("${aws:username}", false)).toBe("${aws:username}");
    expect(parseTemplate("${aws:username}", false).variables).toEqual([]);
  });

  it("records variables as written, with their lower-case lookup and default", () => {
    expect(parseTemplate("${aws:PrincipalTag/Team, 'x'}", true).variables).toEqual([{ key: "aws:PrincipalTag/Team", lookup: "aws:principaltag/team", fallback: "x" }]);
  });

  it("in Resource entries, only after the fifth colon", () => {
    expect(parseResourceTemplate("arn:aws:iam::${aws:username}:user/${aws:username}", true).variables).toHaveLength(1);
    expect(resolveText(parseResourceTemplate("arn:aws:iam::${aws:username}:user/${aws:username}", true), context)).toBe("arn:aws:iam::${aws:username}:user/alice");
    expect(parseResourceTemplate("arn:aws:s3:${aws:username}", true).variables).toEqual([]);
    expect(parseResourceTemplate("*", true).variables).toEqual([]);
  });
});
