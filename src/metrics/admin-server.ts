/**
 * `--admin-port`: /healthz and /metrics on a port of their own (admin-endpoints.ts); anything
 * else there is a 404. In `serve --workers` the primary runs it and gathers every worker's metrics.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { answerAdmin, isAdminRequest, type AdminEndpoints } from "./admin-endpoints.js";

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

export async function startAdminServer(host: string, port: number, endpoints: AdminEndpoints): Promise<AdminServer> {
  const server = createServer((req, res) => {
    if (isAdminRequest(req, true)) {
      void answerAdmin(req, res, endpoints);
      return;
    }
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("not found: this port serves GET /healthz and GET /metrics\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
