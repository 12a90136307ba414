/** Serves the layer bytes behind a signed download URL, with Range support (206). */
import { Digest, RegistryId, RepositoryName } from "@berth/core";
import type { Registry } from "@berth/engine";
import type { Logger } from "pino";
import { answeringFailures, sendPlainFailure } from "../http/answer-failures.js";
import { sendBlob } from "../http/send-blob.js";
import type { DownloadUrlSigner } from "./signed-urls.js";

export const createDownloadRoute = (registry: Registry, signer: DownloadUrlSigner, logger: Logger) =>
  answeringFailures(logger, sendPlainFailure, async (request, response, url: URL) => {
    const grant = signer.verify(url.pathname, url.searchParams, Date.now());
    const valid =
      grant !== undefined &&
      Digest.is(grant.digest) &&
      RegistryId.is(grant.registryId) &&
      RepositoryName.is(grant.repositoryName);
    if (!valid) {
      response.writeHead(403, { "content-type": "text/plain" });
      response.end(
        "This download URL is invalid or has expired; ask GetDownloadUrlForLayer for a new one.\n",
      );
      return;
    }
    const blob = { registryId: grant.registryId, repositoryName: grant.repositoryName, digest: grant.digest };
    const layer = await registry.getDownloadableLayer({ ...blob, layerDigest: blob.digest });
    if (layer._tag === "Left") {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end(`${layer.left.message}\n`);
      return;
    }
    await sendBlob(registry, blob, layer.right.size, request, response);
  });
