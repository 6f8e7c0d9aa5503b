/**
 * A certificate authority and a server certificate for 127.0.0.1 signed by it, made with the
 * openssl command line (.ci/run installs it) into a temporary directory: what a user does with
 * their own CA, and what clients are then given (`--ca-bundle ca.pem`, boto3 `verify=`).
 * P-256 keys: quick to generate.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./server.js";

export interface TestCertificates {
  dir: string;
  /** The CA's certificate: the trust anchor clients are given. */
  ca: string;
  /** The server's certificate (SAN IP:127.0.0.1, DNS:localhost) and key. */
  cert: string;
  key: string;
}

const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export function makeCertificates(): TestCertificates {
  const dir = tempDir("mfa-sts-tls-");
  openssl(["req", "-x509", ...EC_KEY, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=mfa-sts test CA"], dir);
  openssl(["req", "-new", ...EC_KEY, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], dir);
  writeFileSync(
    join(dir, "server.ext"),
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  openssl(
    ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext"],
    dir,
  );
  return { dir, ca: join(dir, "ca.pem"), cert: join(dir, "server.pem"), key: join(dir, "server.key") };
}
