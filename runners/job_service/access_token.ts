/**
 * The job service's secret: a job is code, so every connection, HTTP or
 * WebSocket, must present the token before the service reads anything
 * else. It is accepted as `Authorization: Bearer <token>`, or as the
 * `token` query parameter (browsers cannot set headers on a WebSocket).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** A new random token: 32 bytes, URL-safe base64. */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/** The token a request presents, or undefined. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === "string") {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  // Only the query is parsed: a path such as `//` is no URL a base can resolve.
  const query = (req.url ?? "").split("#", 1)[0]!.split("?").slice(1).join("?");
  return new URLSearchParams(query).get("token") ?? undefined;
}

/** Compares in constant time, so the comparison reveals nothing of the token. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(presented).digest();
  return timingSafeEqual(a, b);
}
