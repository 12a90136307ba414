/**
 * ECR authorization tokens for docker login: GetAuthorizationToken returns base64("AWS:" + password),
 * valid 12 hours. The password is self-verifying: the registry (a registry key: account and region) and expiry, HMAC-signed with the
 * server's secret, so any Berth process sharing the secret accepts it and nothing is stored.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { RegistryId } from "@berth/core";

export const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

export interface IssuedToken {
  readonly authorizationToken: string;
  readonly password: string;
  readonly expiresAt: number;
}

export interface TokenIssuer {
  issue(registryId: RegistryId, now: number): IssuedToken;
  /** The registry a password was issued for, if it is genuine and not expired (old tokens: an account). */
  verify(password: string, now: number): RegistryId | undefined;
}

export const createTokenIssuer = (secret: Uint8Array | string): TokenIssuer => {
  const sign = (payload: string) => createHmac("sha256", secret).update(payload).digest("base64url");
  return {
    issue: (registryId, now) => {
      const expiresAt = now + TOKEN_LIFETIME_MS;
      const payload = Buffer.from(JSON.stringify({ a: registryId, e: expiresAt })).toString("base64url");
      const password = `${payload}.${sign(payload)}`;
      return { authorizationToken: Buffer.from(`AWS:${password}`).toString("base64"), password, expiresAt };
    },
    verify: (password, now) => {
      const [payload, signature] = password.split(".");
      if (payload === undefined || signature === undefined) return undefined;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
      try {
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
          a: unknown;
          e: unknown;
        };
        if (typeof claims.e !== "number" || claims.e <= now || !RegistryId.is(claims.a)) return undefined;
        return claims.a;
      } catch {
        return undefined;
      }
    },
  };
};
