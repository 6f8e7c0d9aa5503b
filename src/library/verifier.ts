/**
 * `createVerifier()`: accept the credentials mfa-sts issues in another service's own HTTP handler.
 * The server's authentication, called in process (no HTTP hop): the same SigV4 parsing
 * (sigv4/parse.ts), the same caller resolution and session-token opening (auth/authenticate.ts:
 * signatureOf, verifyCaller) and the same AWS answers for each failure (queryAuthError). Reads the
 * store and the token key ring the server uses — a data directory or a PostgreSQL database.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { AuthFailure, queryAuthError, signatureOf, verifyCaller } from "../auth/authenticate.js";
import type { Clock } from "../clock.js";
import type { Deps } from "../deps.js";
import { AwsError, Errors } from "../errors.js";
import { cryptoRandom } from "../ids.js";
import { DATABASE_FILE } from "../server/data-dir.js";
import { silentLogger } from "../server/logger.js";
import { loadTokenKeys, openStore } from "../server/open-store.js";
import { parseSigV4 } from "../sigv4/parse.js";
import type { BlobStore } from "../store/blobs.js";
import { StoreUnavailableError } from "../store/store.js";
import { verifiedCaller, type VerifiedCaller } from "./verified-caller.js";
import { toWireRequest, type VerifiableRequest } from "./wire-request.js";

/** Where the server keeps its data, and what the verifier accepts. */
export interface VerifierOptions {
  /** The server's data directory (embedded store). One of `dataDir` and `db` is required. */
  dataDir?: string;
  /** The server's PostgreSQL URL; needs `masterKey`. */
  db?: string;
  /** The master key, base64 of 32 bytes (`MFA_STS_MASTER_KEY`). Default: the data directory's `master.key`. */
  masterKey?: string;
  /**
   * The signing service(s) the credential scope must name (`service` of `…/us-east-1/SERVICE/aws4_request`).
   * Default: any service.
   */
  service?: string | readonly string[];
  /** The clock requests' times and sessions' expiry are checked against, ms since the epoch. Default `Date.now`. */
  clock?: () => number;
}

/** The answer for a request: who signed it, or why it is refused, as AWS would say it. */
export type VerifyResult =
  | { ok: true; caller: VerifiedCaller }
  | {
      ok: false;
      /** AWS's error code: `SignatureDoesNotMatch`, `InvalidClientTokenId`, `ExpiredToken`, `IncompleteSignature`, … */
      code: string;
      /** AWS's message, byte for byte as the server answers it. */
      message: string;
      /** The HTTP status AWS answers it with (400, 403). */
      status: number;
    };

export interface Verifier {
  /** Verifies a request's SigV4 signature and credentials. Never throws for a bad request. */
  verify(request: VerifiableRequest): Promise<VerifyResult>;
  /** Closes the store. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The credential-scope services accepted: the server's check, asked only `has`. */
class AnyService extends Set<string> {
  override has(): boolean {
    return true;
  }
}

/** verifyCaller takes the server's whole Deps; a verifier has no object bodies to give it. */
const NO_BLOBS: BlobStore = {
  create: () => Promise.reject(new Error("a verifier holds no object bodies")),
  read: () => {
    throw new Error("a verifier holds no object bodies");
  },
  delete: () => Promise.reject(new Error("a verifier holds no object bodies")),
};

const failure = (e: AwsError): VerifyResult => ({ ok: false, code: e.code, message: e.message, status: e.status });

/**
 * Opens the server's store and token keys, and returns a verifier for requests signed with
 * credentials from that server (long-term keys and session credentials).
 *
 * @example
 * ```ts
 * const verifier = await createVerifier({ dataDir: "/var/lib/mfa-sts" });
 * const answer = await verifier.verify({ method: req.method, url: req.url, headers: req.headers, body });
 * if (!answer.ok) return res.writeHead(answer.status).end(answer.code);
 * if (!answer.caller.session?.mfa.present) return res.writeHead(403).end("MFA required");
 * ```
 */
export async function createVerifier(options: VerifierOptions): Promise<Verifier> {
  if ((options.dataDir === undefined || options.dataDir === "") && (options.db === undefined || options.db === "")) {
    throw new TypeError("createVerifier needs the server's dataDir or its db URL");
  }
  if (!options.db && !existsSync(join(options.dataDir!, DATABASE_FILE))) {
    // Opening would create an empty store there, against which every key is unknown.
    throw new Error(`${options.dataDir} holds no mfa-sts data (no ${DATABASE_FILE}): give the server's data directory`);
  }
  const now = options.clock ?? Date.now;
  const clock: Clock = { now: () => now() };
  const { store, secrets } = await openStore({
    dataDir: options.dataDir ?? "",
    ...(options.db !== undefined && { db: options.db }),
    ...(options.masterKey !== undefined && { masterKey: options.masterKey }),
  });
  let deps: Deps;
  try {
    const tokens = await loadTokenKeys({ store, secrets, clock, random: cryptoRandom });
    deps = { store, secrets, clock, random: cryptoRandom, logger: silentLogger, tokens, blobs: NO_BLOBS };
  } catch (e) {
    await store.close();
    throw e;
  }
  const expected: readonly string[] = options.service === undefined ? [] : typeof options.service === "string" ? [options.service] : options.service;
  const services = options.service === undefined ? new AnyService() : new Set(expected);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= store.close());
  return {
    async verify(request) {
      const wire = toWireRequest(request);
      try {
        const signature = signatureOf(parseSigV4(wire));
        try {
          return { ok: true, caller: verifiedCaller(await verifyCaller(wire, signature, deps, { services })) };
        } catch (e) {
          if (!(e instanceof AuthFailure)) throw e;
          // AWS names the service the credentials should have been scoped to (spec §4.2 row 12):
          // for a verifier of one service, that one.
          if (e.reason === "scope-service" && expected.length === 1) return failure(Errors.wrongScopeService(expected[0]!));
          return failure(queryAuthError(e, signature));
        }
      } catch (e) {
        if (e instanceof AwsError) return failure(e);
        // The server's answer when its database cannot be reached.
        if (e instanceof StoreUnavailableError) return failure(Errors.serviceUnavailable());
        throw e;
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
