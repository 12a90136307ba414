/**
 * /v2 authentication as ECR does it: HTTP Basic with user `AWS` and a password from
 * GetAuthorizationToken, valid until it expires. Without configured credentials (local mode) every
 * request is let in, acting for the default registry (the default account in the default region).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { RegistryId } from "@berth/core";
import type { TokenIssuer } from "../auth/authorization-token.js";

export type OciAuth =
  | { readonly ok: true; readonly registryId: RegistryId }
  | { readonly ok: false; readonly reason: string };

const AUTHENTICATION_REQUIRED = "authentication required: docker login with `aws ecr get-login-password`";

/**
 * The user and password of a Basic credential, or undefined when the header is not Basic. The
 * scheme is case-insensitive (RFC 7235 §2.1): `basic`, `BASIC` and `Basic` are one scheme.
 */
const basicCredential = (header: string | undefined): { user: string; password: string } | undefined => {
  const match = header === undefined ? null : /^basic(?: +(\S*))? *$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] ?? "", "base64").toString("utf8");
  const separator = decoded.indexOf(":");
  return separator < 0
    ? { user: decoded, password: "" }
    : { user: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
};

export const authenticateBasic = (
  headers: IncomingHttpHeaders,
  tokens: TokenIssuer,
  localMode: RegistryId | undefined,
  now: number,
): OciAuth => {
  const credential = basicCredential(headers.authorization);
  // No credential, or an empty one (`Og==`, ":"), as buildah and podman send before a login.
  if (credential === undefined || (credential.user === "" && credential.password === "")) {
    return localMode !== undefined
      ? { ok: true, registryId: localMode }
      : { ok: false, reason: AUTHENTICATION_REQUIRED };
  }
  // A token names the registry (account and region) it was issued for.
  const registryId = credential.user === "AWS" ? tokens.verify(credential.password, now) : undefined;
  if (registryId !== undefined) return { ok: true, registryId };
  if (localMode !== undefined) return { ok: true, registryId: localMode };
  return { ok: false, reason: "invalid or expired authorization token: log in again" };
};
