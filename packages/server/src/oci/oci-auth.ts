/**
 * /v2 authentication as ECR does it: HTTP Basic with user `AWS` and a password from
 * GetAuthorizationToken, valid until it expires. Without configured credentials (local mode) every
 * request is let in, acting for the default registry.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { RegistryId } from "@berth/core";
import type { TokenIssuer } from "../auth/authorization-token.js";

export type OciAuth =
  | { readonly ok: true; readonly accountId: RegistryId }
  | { readonly ok: false; readonly reason: string };

export const authenticateBasic = (
  headers: IncomingHttpHeaders,
  tokens: TokenIssuer,
  localMode: RegistryId | undefined,
  now: number,
): OciAuth => {
  const header = headers.authorization;
  if (header === undefined || !header.startsWith("Basic ")) {
    return localMode !== undefined
      ? { ok: true, accountId: localMode }
      : { ok: false, reason: "authentication required: docker login with `aws ecr get-login-password`" };
  }
  const decoded = Buffer.from(header.slice("Basic ".length), "base64").toString("utf8");
  const separator = decoded.indexOf(":");
  const user = decoded.slice(0, separator);
  const password = decoded.slice(separator + 1);
  const accountId = user === "AWS" ? tokens.verify(password, now) : undefined;
  if (accountId !== undefined) return { ok: true, accountId };
  if (localMode !== undefined) return { ok: true, accountId: localMode };
  return { ok: false, reason: "invalid or expired authorization token: log in again" };
};
