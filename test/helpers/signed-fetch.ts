/**
 * Requests signed by AWS's own signer (@smithy/signature-v4) but otherwise shaped by the test:
 * for what no SDK will send (unknown actions, foreign scopes, duplicate parameters).
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import type { HttpRequest } from "@smithy/types";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Credentials } from "./server.js";

export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
}

export interface SignedRequestOptions {
  body?: string;
  method?: "GET" | "POST";
  query?: Record<string, string>;
  service?: string;
  region?: string;
  /** Sign at this time instead of now. */
  signingDate?: Date;
  presign?: boolean;
  headers?: Record<string, string>;
  /** Send this body instead of the one that was signed (tampering). */
  sendBody?: string;
}

export async function signedFetch(url: string, creds: Credentials, options: SignedRequestOptions = {}): Promise<RawResponse> {
  const target = new URL(url);
  const method = options.method ?? "POST";
  const signer = new SignatureV4({
    credentials: creds,
    region: options.region ?? "us-east-1",
    service: options.service ?? "sts",
    sha256: Sha256,
  });
  const request: HttpRequest = {
    method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: "/",
    query: options.query ?? {},
    headers: {
      host: target.host,
      ...(method === "POST" ? { "content-type": "application/x-www-form-urlencoded; charset=utf-8" } : {}),
      ...options.headers,
    },
    body: options.body,
  };
  const signed = options.presign
    ? await signer.presign(request, { signingDate: options.signingDate, expiresIn: 900 })
    : await signer.sign(request, { signingDate: options.signingDate });
  const query = new URLSearchParams(signed.query as Record<string, string>).toString().replace(/\+/g, "%20");
  const headers = { ...signed.headers };
  delete headers.host;
  const response = await fetch(`${target.origin}/${query ? `?${query}` : ""}`, {
    method,
    headers,
    body: options.sendBody ?? options.body,
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The Code and Message of an XML error body. */
export function xmlError(body: string): { code: string; message: string } {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? "";
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? "";
  return { code, message: message.replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&") };
}

/** A response as the tests compare it: HTTP status with the error's Code and Message. */
export function errorOf(res: RawResponse): { status: number; code: string; message: string } {
  return { status: res.status, ...xmlError(res.body) };
}
