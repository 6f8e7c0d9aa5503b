/**
 * The server's core on plain values: a WireRequest in, a WireResponse out. No sockets here, so
 * tests can drive the whole pipeline in memory. Flow (DESIGN.md): parameters → authentication →
 * operation → shape validation → the operation (which authorizes) → XML result, and every
 * failure becomes AWS's error envelope. Anything unexpected is a 500 InternalFailure whose cause
 * is logged without secrets. Every request is told once, answered, to the observer (the audit
 * trail and the metrics: audit/observed-request.ts).
 */
import { AuthFailure, queryAuthError, signatureOf, verifyCaller } from "../auth/authenticate.js";
import { observeAll, type RequestObserver } from "../audit/observed-request.js";
import type { Caller } from "../principal.js";
import { createS3App } from "../s3/app.js";
import { isS3Request } from "../s3/target.js";
import { headerValue, parseSigV4 } from "../sigv4/index.js";
import { requireStsActionAllowed } from "../auth/rules.js";
import type { Readable } from "node:stream";
import { AwsError, Errors } from "../errors.js";
import { errorDocument, resultDocument, type QueryService } from "../protocol/envelope.js";
import { SERVICES, STS, type Operation } from "../protocol/operation.js";
import { parseQueryParams, type QueryParams } from "../protocol/query.js";
import { validateInput, type Input } from "../protocol/shapes.js";
import type { XmlObject } from "../protocol/xml.js";
import type { WireRequest } from "../sigv4/types.js";
import type { Deps } from "../deps.js";
import { StoreUnavailableError } from "../store/store.js";
import { findOperation } from "./routes.js";

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  /** A Readable for bodies streamed from disk (S3 objects). */
  body: string | Buffer | Readable;
}

export type App = (req: WireRequest) => Promise<WireResponse>;

/** The HTTP date of the current second, formatted once per second rather than per response. */
let dateSecond = NaN;
let dateText = "";
function httpDate(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** The headers AWS sends with every Query response; Date comes from the injected clock. */
export function xmlResponse(status: number, requestId: string, body: string, now: number): WireResponse {
  return {
    status,
    headers: {
      "x-amzn-RequestId": requestId,
      "Content-Type": "text/xml",
      "Content-Length": String(Buffer.byteLength(body)),
      Date: httpDate(now),
    },
    body,
  };
}

/** Longest unknown Action kept for the audit trail (an Action can be as long as the body). */
const MAX_ASKED_FOR = 128;

export function createApp(deps: Deps, observer: RequestObserver = () => {}): App {
  // Decided once: at the usual level a request builds no log record at all.
  const debug = deps.logger.isLevelEnabled("debug");
  // An audit or metrics failure is logged, never the request's failure.
  const observe = observeAll([observer], (err) => deps.logger.error({ err }, "observing a request failed"));
  const s3 = createS3App(deps, observe);
  return async function handle(req: WireRequest): Promise<WireResponse> {
    // One port for every service: S3's requests go their own way (DESIGN decision 6).
    const parsed = parseSigV4(req);
    if (isS3Request(req, parsed.kind === "ok" ? parsed.auth : undefined)) return s3(req, parsed);
    const requestId = deps.random.uuid();
    const started = deps.clock.now();
    let service: QueryService = STS;
    let action: string | undefined;
    let params: QueryParams | undefined;
    let caller: Caller | undefined;
    let operation: Operation | undefined;
    let input: Input | undefined;
    let result: XmlObject | undefined;
    const observed = (status: number, error?: AwsError, cause?: unknown): void =>
      observe({
        service: service.name,
        operation: operation?.action,
        askedFor: operation === undefined ? params?.get("Action")?.slice(0, MAX_ASKED_FOR) || undefined : undefined,
        requestId,
        startedAt: started,
        endedAt: deps.clock.now(),
        status,
        signature: parsed.kind === "ok" ? { accessKeyId: parsed.auth.accessKeyId, region: parsed.auth.region } : undefined,
        caller,
        sourceIp: req.remoteAddress,
        userAgent: headerValue(req, "user-agent"),
        input,
        result,
        s3: undefined,
        error: error && { code: error.code, message: error.message },
        storeUnavailable: cause instanceof StoreUnavailableError,
      });
    try {
      params = parseQueryParams(req);
      const signature = signatureOf(parsed);
      // From here on errors speak the namespace of the service the request was signed for.
      service = SERVICES.get(signature.service) ?? STS;
      // The operation the request names, for its audit record and metrics even if it goes no further.
      operation = findOperation(service.name, params.get("Action") ?? "");
      caller = await verifyCaller(req, signature, deps).catch((e: unknown) => {
        throw e instanceof AuthFailure ? queryAuthError(e, signature) : e;
      });
      action = params.get("Action");
      if (action === undefined || action === "") throw Errors.missingAction();
      const version = params.get("Version");
      if (version === undefined) throw Errors.missingVersion();
      if (!operation || version !== service.version) throw Errors.invalidAction(action, version);
      if (service === STS) requireStsActionAllowed(caller, action);
      input = validateInput(operation.input, params);
      result = await operation.run({ caller, deps, requestId }, input);
      const response = xmlResponse(200, requestId, resultDocument(service, action, result, requestId), deps.clock.now());
      if (debug) deps.logger.debug({ requestId, service: service.name, action, status: 200, ms: deps.clock.now() - started });
      observed(200);
      return response;
    } catch (e) {
      const error = e instanceof AwsError ? e : e instanceof StoreUnavailableError ? Errors.serviceUnavailable() : Errors.internalFailure();
      if (error.status >= 500) deps.logger.error({ requestId, action, err: e }, "request failed");
      else if (debug) deps.logger.debug({ requestId, service: service.name, action, status: error.status, code: error.code });
      observed(error.status, error, e);
      return xmlResponse(error.status, requestId, errorDocument(service, error, requestId), deps.clock.now());
    }
  };
}
