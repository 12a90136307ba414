/**
 * GetDownloadUrlForLayer's URL: the blob store's own (an S3 presigned GET, as ECR answers) when it
 * can make one, else one of this server's signed download URLs.
 */
import type { Digest, RegistryId, RepositoryName } from "@berth/core";
import type { Registry } from "@berth/engine";
import * as E from "fp-ts/lib/Either.js";
import { DOWNLOAD_URL_LIFETIME_MS, type DownloadUrlSigner } from "./signed-urls.js";

export interface LayerDownload {
  readonly registry: Registry;
  readonly downloads: DownloadUrlSigner;
  readonly baseUrl: string;
  readonly now: () => number;
}

export const layerDownloadUrl = async (
  { registry, downloads, baseUrl, now }: LayerDownload,
  layer: {
    readonly registryId: RegistryId;
    readonly repositoryName: RepositoryName;
    readonly digest: Digest;
  },
): Promise<string> => {
  const presigned = await registry.presignedBlobUrl({
    ...layer,
    expiresInSeconds: DOWNLOAD_URL_LIFETIME_MS / 1000,
  });
  if (E.isRight(presigned) && presigned.right !== undefined) return presigned.right;
  return baseUrl + downloads.sign({ ...layer, expiresAt: now() + DOWNLOAD_URL_LIFETIME_MS });
};
