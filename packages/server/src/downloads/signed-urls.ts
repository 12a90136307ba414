/**
 * GetDownloadUrlForLayer's URLs: this server's own, expiring, HMAC-signed, so that anyone holding one
 * can fetch the layer for a while without credentials, as with ECR's pre-signed S3 URLs.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const DOWNLOAD_PATH_PREFIX = "/_berth/layers/";
export const DOWNLOAD_URL_LIFETIME_MS = 60 * 60 * 1000;

export interface DownloadGrant {
  readonly registryId: string;
  readonly repositoryName: string;
  readonly digest: string;
  readonly expiresAt: number;
}

export interface DownloadUrlSigner {
  /** A path and query (`/_berth/layers/…?…`) to append to the server's base URL. */
  sign(grant: DownloadGrant): string;
  /** The grant a path and query carry, if their signature is genuine and they have not expired. */
  verify(path: string, query: URLSearchParams, now: number): DownloadGrant | undefined;
}

export const createDownloadUrlSigner = (secret: Uint8Array | string): DownloadUrlSigner => {
  const mac = (g: DownloadGrant) =>
    createHmac("sha256", secret)
      .update(`download\n${g.registryId}\n${g.repositoryName}\n${g.digest}\n${g.expiresAt}`)
      .digest("base64url");
  return {
    sign: (grant) => {
      const query = new URLSearchParams({
        registry: grant.registryId,
        repository: grant.repositoryName,
        expires: String(grant.expiresAt),
        signature: mac(grant),
      });
      return `${DOWNLOAD_PATH_PREFIX}${grant.digest}?${query}`;
    },
    verify: (path, query, now) => {
      let digest: string;
      try {
        digest = decodeURIComponent(path.slice(DOWNLOAD_PATH_PREFIX.length));
      } catch {
        return undefined; // malformed percent-encoding: no URL we signed
      }
      const grant = {
        registryId: query.get("registry") ?? "",
        repositoryName: query.get("repository") ?? "",
        digest,
        expiresAt: Number(query.get("expires")),
      };
      const given = Buffer.from(query.get("signature") ?? "");
      const expected = Buffer.from(mac(grant));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return Number.isFinite(grant.expiresAt) && grant.expiresAt > now ? grant : undefined;
    },
  };
};
