/**
 * The dashboard's HTTP side, on the job service's port (the token was
 * checked before): the page at `/`, and the job list as JSON at
 * `/api/jobs`. The page gets everything else, live, over the WebSocket.
 */
import type * as http from "node:http";
import { JobRegistry } from "./job_registry";
import { DASHBOARD_PAGE } from "./dashboard_page";

/** Answers one (authorized) HTTP request. */
export function serveDashboard(req: http.IncomingMessage, res: http.ServerResponse, registry: JobRegistry): void {
  const headers = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
  };
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { ...headers, allow: "GET, HEAD", "content-type": "text/plain" }).end("only GET\n");
    return;
  }
  const pathname = pathOf(req.url);
  if (pathname === "/" || pathname === "/index.html") {
    res.writeHead(200, {
      ...headers,
      "content-type": "text/html; charset=utf-8",
      "content-security-policy":
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
    });
    res.end(req.method === "HEAD" ? undefined : DASHBOARD_PAGE);
    return;
  }
  if (pathname === "/api/jobs") {
    res.writeHead(200, { ...headers, "content-type": "application/json" });
    res.end(req.method === "HEAD" ? undefined : JSON.stringify(registry.all().map(JobRegistry.info)));
    return;
  }
  res.writeHead(404, { ...headers, "content-type": "text/plain" }).end("not found\n");
}

/**
 * The path of a request target, without its query. Not `new URL(target, base)`:
 * a target such as `//` is read as a URL with an empty host and throws.
 */
export function pathOf(target: string | undefined): string {
  const raw = (target ?? "/").split(/[?#]/, 1)[0]!;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
