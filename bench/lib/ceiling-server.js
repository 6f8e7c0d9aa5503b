// The ceiling: a bare node:http server that reads the request body and answers a fixed 400-byte
// XML document, about what an STS answer weighs. Nothing a real server could do is faster on
// this machine with node:http. Prints "listening on http://HOST:PORT" on stderr, like `serve`.
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";

const head =
  '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n' +
  "  <GetCallerIdentityResult>\n    <Arn>arn:aws:iam::123456789012:user/b</Arn>\n" +
  "    <UserId>AIDAJQABLZS4A3QDU576Q</UserId>\n    <Account>123456789012</Account>\n" +
  "  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>";
const tail = "</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n";
const requestId = randomUUID();
const pad = 400 - Buffer.byteLength(head + requestId + tail);
const BODY = Buffer.from(head + requestId + tail + " ".repeat(Math.max(0, pad)));
if (BODY.length !== 400) throw new Error(`ceiling body is ${BODY.length} bytes`);

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    Buffer.concat(chunks);
    res.writeHead(200, {
      "x-amzn-RequestId": requestId,
      "Content-Type": "text/xml",
      "Content-Length": String(BODY.length),
      Date: new Date().toUTCString(),
    });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, "127.0.0.1", () => {
  process.stderr.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
