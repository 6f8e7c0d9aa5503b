import { describe, expect, it } from "vitest";
import { AwsError } from "../errors.js";
import { errorDocument } from "./envelope.js";
import { XmlList, xmlDocument } from "./xml.js";

const STS = { name: "sts", version: "2011-06-15", namespace: "https://sts.amazonaws.com/doc/2011-06-15/" };

describe("error envelope", () => {
  it("matches the raw STS capture byte for byte (305 bytes, spec §4.1)", () => {
    const body = errorDocument(
      STS,
      new AwsError("InvalidClientTokenId", 403, "The security token included in the request is invalid"),
      "16fc956c-311e-4199-bee1-1680236e9698",
    );
    expect(body).toBe(
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n' +
        "  <Error>\n" +
        "    <Type>Sender</Type>\n" +
        "    <Code>InvalidClientTokenId</Code>\n" +
        "    <Message>The security token included in the request is invalid</Message>\n" +
        "  </Error>\n" +
        "  <RequestId>16fc956c-311e-4199-bee1-1680236e9698</RequestId>\n" +
        "</ErrorResponse>\n",
    );
    expect(Buffer.byteLength(body)).toBe(305);
  });

  it("keeps trailing spaces and escapes markup in messages", () => {
    const body = errorDocument(STS, new AwsError("AccessDenied", 403, "a <b> & 'c' "), "r");
    expect(body).toContain("<Message>a &lt;b&gt; &amp; &apos;c&apos; </Message>");
  });
});

describe("xml writer", () => {
  it("writes lists as members, skips absent values, formats dates to the second", () => {
    const doc = xmlDocument("R", "ns", {
      L: new XmlList([{ A: "1", B: undefined }, { A: "2" }]),
      E: new XmlList([]),
      D: new Date("2024-09-14T08:25:05.611Z"),
      T: false,
    });
    expect(doc).toBe(
      '<R xmlns="ns">\n  <L>\n    <member>\n      <A>1</A>\n    </member>\n    <member>\n      <A>2</A>\n    </member>\n  </L>\n  <E/>\n  <D>2024-09-14T08:25:05Z</D>\n  <T>false</T>\n</R>\n',
    );
  });
});
