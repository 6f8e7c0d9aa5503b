/**
 * `serve --tls-cert FILE --tls-key FILE`: the PEM files read and checked once at start, so that a
 * missing file, a key that is not the certificate's, or text that is not PEM is one clear line
 * (exit 1) before anything listens — not a stack trace from the first worker that tries.
 */
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { InitError } from "../iam/account.js";
import type { TlsMaterial } from "./http.js";

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new InitError(`cannot read the TLS ${what} ${file}: ${(e as Error).message}`);
  }
}

/** The certificate and key, checked by OpenSSL as node:https will use them. */
export function loadTlsFiles(files: TlsFiles): TlsMaterial {
  const cert = read(files.certFile, "certificate");
  const key = read(files.keyFile, "key");
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    // OpenSSL's words ("key values mismatch", "no start line"): enough to act on with the names.
    throw new InitError(`--tls-cert ${files.certFile} and --tls-key ${files.keyFile} cannot serve HTTPS: ${(e as Error).message}`);
  }
  return { cert, key };
}
