// The ceiling: a bare node:http server that reads the request body and answers a fixed 400-byte
// XML document, about what an STS answer weighs. Nothing a real server could do is faster on
// this machine with node:http. Prints "listening on http://HOST:PORT" on stderr, like `serve`.
// With an argument N > 1, N such processes share the port through node:cluster, as
// `serve --workers N` does: what N processes can do at best on this machine.
//
//   node bench/lib/ceiling-server.js [N] [FILE]
//
// With FILE, the ceiling of a GetObject instead: every request is answered 200 with FILE's bytes,
// streamed from disk (fs.createReadStream per request, as `serve` streams a blob), its length
// taken once at start.
import cluster from "node:cluster";
import { createReadStream, statSync } from "node:fs";
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

const workers = Number(process.argv[2] ?? 1);
const file = process.argv[3];
const fileSize = file === undefined ? 0 : statSync(file).size;
if (workers > 1 && cluster.isPrimary) runPrimary();
else runServer();

function runServer() {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      Buffer.concat(chunks);
      if (file !== undefined) {
        res.writeHead(200, {
          "x-amz-request-id": requestId,
          "Content-Type": "binary/octet-stream",
          "Content-Length": String(fileSize),
          Date: new Date().toUTCString(),
        });
        createReadStream(file).pipe(res);
        return;
      }
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
    if (cluster.isPrimary) process.stderr.write(`listening on http://127.0.0.1:${server.address().port}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

function runPrimary() {
  let listening = 0;
  cluster.on("listening", (_worker, address) => {
    if (++listening === workers) process.stderr.write(`listening on http://127.0.0.1:${address.port}\n`);
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
