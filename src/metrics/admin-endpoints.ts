/**
 * The operator's endpoints: `GET /healthz` (the process answers) and `GET /metrics` (Prometheus
 * text). On the service port by default; with `--admin-port` on their own port only (admin-server.ts),
 * so that a scraper or a load balancer's probe need not reach the port clients use, and clients
 * cannot read the metrics.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { METRICS_CONTENT_TYPE } from "./server-metrics.js";

export interface AdminEndpoints {
  /** The metrics text; rejects when it cannot be had (a cluster worker that did not answer). */
  metrics(): Promise<string>;
}

/**
 * Is this request for an admin endpoint? `withMetrics`: /metrics is one (a server without metrics
 * has /healthz alone). Any other method on their paths is the service's.
 */
export function isAdminRequest(req: IncomingMessage, withMetrics: boolean): boolean {
  return (req.url === "/healthz" || (withMetrics && req.url === "/metrics")) && (req.method === "GET" || req.method === "HEAD");
}

/** Answers an admin request (isAdminRequest); `endpoints` is needed for /metrics only. */
export async function answerAdmin(req: IncomingMessage, res: ServerResponse, endpoints: AdminEndpoints | undefined): Promise<void> {
  if (req.url === "/healthz" || endpoints === undefined) {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end("ok\n");
    return;
  }
  let text: string;
  try {
    text = await endpoints.metrics();
  } catch (e) {
    res.writeHead(503, { "Content-Type": "text/plain" });
    res.end(`metrics unavailable: ${(e as Error).message}\n`);
    return;
  }
  res.writeHead(200, { "Content-Type": METRICS_CONTENT_TYPE, "Content-Length": String(Buffer.byteLength(text)) });
  res.end(req.method === "HEAD" ? undefined : text);
}
