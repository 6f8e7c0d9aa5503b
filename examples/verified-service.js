/**
 * Example: a plain node:http service that accepts the session credentials mfa-sts issues and
 * serves only callers whose session was made with MFA. Requests are signed with SigV4 by AWS's
 * own signer (@smithy/signature-v4), scoped to the service's name, as an SDK or
 * `aws --endpoint-url … sts get-caller-identity` signs them.
 *
 *   node examples/verified-service.js
 */
import { createServer } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import { createVerifier, startServer } from "mfa-sts";

// The STS that issues the credentials, and a user with an MFA device.
const srv = await startServer();
const alice = await srv.createUser("alice", { mfa: true });

// ── the service ──────────────────────────────────────────────────────────────
const verifier = await createVerifier({ dataDir: srv.dataDir, service: "orders" });
const service = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const answer = await verifier.verify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
  const reply = (status, body) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  if (!answer.ok) return reply(answer.status, { code: answer.code, message: answer.message });
  if (!answer.caller.session?.mfa.present) return reply(403, { code: "AccessDenied", message: "sign in with MFA" });
  reply(200, { orders: [], for: answer.caller.arn, mfaAt: answer.caller.session.mfa.authenticatedAt });
});
await new Promise((resolve) => service.listen(0, "127.0.0.1", resolve));
const serviceUrl = `http://127.0.0.1:${service.address().port}`;

// ── a client ─────────────────────────────────────────────────────────────────
async function callService(credentials) {
  const url = new URL("/orders?status=open", serviceUrl);
  const signer = new SignatureV4({ credentials, region: "us-east-1", service: "orders", sha256: Sha256 });
  const signed = await signer.sign({
    method: "GET",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host },
  });
  const response = await fetch(url, { headers: signed.headers });
  return `${response.status} ${await response.text()}`;
}

async function session(tokenCode) {
  const sts = new STSClient({ endpoint: srv.url, region: "us-east-1", credentials: srv.credentials(alice) });
  const params = tokenCode ? { SerialNumber: alice.mfaSerial, TokenCode: tokenCode } : {};
  const { Credentials: c } = await sts.send(new GetSessionTokenCommand(params));
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

try {
  const withMfa = await session(await alice.code());
  console.log(`MFA session:      ${await callService(withMfa)}`);
  console.log(`session, no MFA:  ${await callService(await session())}`);
  console.log(`wrong secret:     ${await callService({ ...withMfa, secretAccessKey: "x".repeat(40) })}`);
} finally {
  service.close();
  await verifier.close();
  await srv.close();
}
