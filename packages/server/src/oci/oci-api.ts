/**
 * The OCI distribution API (`/v2/`), as docker and skopeo use it, translated onto the same registry
 * the ECR API serves: an upload session is InitiateLayerUpload / UploadLayerPart /
 * CompleteLayerUpload, a manifest PUT is PutImage, a manifest DELETE is BatchDeleteImage. Where the
 * protocols differ the core decides, told which rules apply (OCI chunks of any size, empty blobs).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  Digest,
  IMAGE_MANIFEST_MAX_LENGTH,
  type ImageIdentifier,
  ImageTag,
  MediaType,
  MediaTypes,
  manifestDigest,
  type RegistryError,
  type RegistryId,
  RepositoryName,
  type UploadId,
  UploadId as UploadIdCodec,
} from "@berth/core";
import type { Registry } from "@berth/engine";
import * as E from "fp-ts/lib/Either.js";
import type { Logger } from "pino";
import type { TokenIssuer } from "../auth/authorization-token.js";
import { BodyTooLargeError, readBody } from "../http/read-body.js";
import { sendBlob } from "../http/send-blob.js";
import { authenticateBasic } from "./oci-auth.js";
import { type OciError, ociError, ociErrorOf } from "./oci-errors.js";
import { type OciRoute, parseOciPath } from "./oci-paths.js";

export interface OciApiOptions {
  readonly registry: Registry;
  readonly tokens: TokenIssuer;
  /** Local mode: no credentials are configured and /v2 is open, acting for this registry. */
  readonly localAccountId: RegistryId | undefined;
  /** Pushing to a repository that does not exist creates it (otherwise NAME_UNKNOWN, as in ECR). */
  readonly createOnPush: boolean;
  readonly baseUrlOf: (request: IncomingMessage) => string;
  readonly logger: Logger;
}

const API_VERSION = { "docker-distribution-api-version": "registry/2.0" };
const MANIFEST_TYPES = new Set<string>(Object.values(MediaTypes));

const sendJson = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    ...API_VERSION,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(payload)),
    ...headers,
  });
  response.end(payload);
};

const sendEmpty = (response: ServerResponse, status: number, headers: Record<string, string>) => {
  response.writeHead(status, { ...API_VERSION, "content-length": "0", ...headers });
  response.end();
};

const sendError = (response: ServerResponse, error: OciError, request: IncomingMessage) => {
  const body = { errors: [{ code: error.code, message: error.message, detail: error.detail ?? null }] };
  if (request.method === "HEAD") {
    sendEmpty(response, error.status, { ...error.headers });
    return;
  }
  sendJson(response, error.status, body, { ...error.headers });
};

/** Parses `Content-Range: <start>-<end>` (as OCI chunked uploads send it, without a unit). */
const parseContentRange = (
  header: string | undefined,
): { first: number; last: number } | "invalid" | undefined => {
  if (header === undefined) return undefined;
  const m = /^(?:bytes )?(\d+)-(\d+)(?:\/\d+|\/\*)?$/.exec(header.trim());
  if (m === null) return "invalid";
  const first = Number(m[1]);
  const last = Number(m[2]);
  return last < first ? "invalid" : { first, last };
};

const uploadHeaders = (name: string, uploadId: string, size: number): Record<string, string> => ({
  location: `/v2/${name}/blobs/uploads/${uploadId}`,
  range: `0-${Math.max(size - 1, 0)}`,
  "docker-upload-uuid": uploadId,
});

export const createOciApi = (options: OciApiOptions) => {
  const { registry, tokens, logger } = options;

  /** Runs a registry call; a Left becomes the OCI error response. */
  const orFail = async <A>(
    response: ServerResponse,
    request: IncomingMessage,
    subject: "blob" | "upload" | "manifest",
    result: Promise<E.Either<RegistryError, A>>,
  ): Promise<A | undefined> => {
    const either = await result;
    if (E.isRight(either)) return either.right;
    sendError(response, ociErrorOf(either.left, subject), request);
    return undefined;
  };

  const ensureRepository = async (registryId: RegistryId, repositoryName: RepositoryName) => {
    if (!options.createOnPush) return;
    const created = await registry.createRepository({ registryId, repositoryName });
    if (E.isLeft(created) && created.left._tag !== "RepositoryAlreadyExistsException") {
      logger.warn({ repositoryName, error: created.left }, "create on push failed");
    }
  };

  const handle = async (
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    route: Exclude<OciRoute, { kind: "base" } | { kind: "catalog" }>,
    registryId: RegistryId,
  ): Promise<void> => {
    const method = request.method ?? "GET";
    if (!RepositoryName.is(route.name)) {
      return sendError(
        response,
        ociError(400, "NAME_INVALID", `Invalid repository name '${route.name}'`),
        request,
      );
    }
    const repositoryName = route.name;
    const ref = { registryId, repositoryName };

    switch (route.kind) {
      case "blob": {
        if (method === "DELETE") {
          return sendError(
            response,
            ociError(405, "UNSUPPORTED", "Deleting blobs is not supported; delete images instead"),
            request,
          );
        }
        if (!Digest.is(route.digest)) {
          return sendError(
            response,
            ociError(400, "DIGEST_INVALID", `Invalid digest '${route.digest}'`),
            request,
          );
        }
        const layer = await orFail(
          response,
          request,
          "blob",
          registry.statBlob({ ...ref, digest: route.digest }),
        );
        if (layer === undefined) return;
        return sendBlob(
          registry,
          { ...ref, digest: route.digest },
          layer.size,
          request,
          response,
          API_VERSION,
        );
      }

      case "uploads": {
        await ensureRepository(registryId, repositoryName);
        const mount = url.searchParams.get("mount");
        const from = url.searchParams.get("from");
        if (mount !== null && from !== null && Digest.is(mount) && RepositoryName.is(from)) {
          const mounted = await registry.mountLayer({ ...ref, layerDigest: mount, fromRepository: from });
          if (E.isRight(mounted)) {
            return sendEmpty(response, 201, {
              location: `/v2/${repositoryName}/blobs/${mount}`,
              "docker-content-digest": mount,
            });
          }
          // The spec: when a mount cannot be done, start an ordinary upload instead.
        }
        const initiated = await orFail(response, request, "upload", registry.initiateLayerUpload(ref));
        if (initiated === undefined) return;
        const digest = url.searchParams.get("digest");
        if (digest !== null) return finish(request, response, ref, initiated.uploadId, digest);
        return sendEmpty(response, 202, uploadHeaders(repositoryName, initiated.uploadId, 0));
      }

      case "upload": {
        if (!UploadIdCodec.is(route.uploadId)) {
          return sendError(
            response,
            ociError(404, "BLOB_UPLOAD_UNKNOWN", `Unknown upload ${route.uploadId}`),
            request,
          );
        }
        const uploadId = route.uploadId;
        switch (method) {
          case "GET": {
            const progress = await orFail(
              response,
              request,
              "upload",
              registry.layerUploadProgress({ ...ref, uploadId }),
            );
            if (progress === undefined) return;
            return sendEmpty(response, 204, uploadHeaders(repositoryName, uploadId, progress.size));
          }
          case "PATCH": {
            const written = await writeChunk(request, response, ref, uploadId);
            if (written === undefined) return;
            return sendEmpty(response, 202, uploadHeaders(repositoryName, uploadId, written.size));
          }
          case "PUT": {
            const digest = url.searchParams.get("digest");
            if (digest === null) {
              return sendError(
                response,
                ociError(400, "DIGEST_INVALID", "PUT closing an upload needs ?digest="),
                request,
              );
            }
            return finish(request, response, ref, uploadId, digest);
          }
          case "DELETE": {
            const discarded = await orFail(
              response,
              request,
              "upload",
              registry.discardLayerUpload({ ...ref, uploadId }),
            );
            if (discarded === undefined) return;
            return sendEmpty(response, 204, {});
          }
        }
        break;
      }

      case "manifest":
        return manifest(request, response, ref, route.reference);

      case "tags": {
        if (method !== "GET") break;
        const n = url.searchParams.get("n");
        const last = url.searchParams.get("last");
        const limit = n === null ? undefined : Number(n);
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
          return sendError(response, ociError(400, "UNSUPPORTED", `Invalid n '${n}'`), request);
        }
        const page = await orFail(
          response,
          request,
          "manifest",
          registry.listTags({
            ...ref,
            ...(limit === undefined ? {} : { n: limit }),
            ...(last === null ? {} : { last }),
          }),
        );
        if (page === undefined) return;
        const lastTag = page.tags.at(-1);
        const link =
          page.more && lastTag !== undefined
            ? {
                link: `</v2/${repositoryName}/tags/list?n=${limit}&last=${encodeURIComponent(lastTag)}>; rel="next"`,
              }
            : undefined;
        return sendJson(response, 200, { name: repositoryName, tags: page.tags }, link);
      }

      case "referrers": {
        if (method !== "GET") break;
        if (!Digest.is(route.digest)) {
          return sendError(
            response,
            ociError(400, "DIGEST_INVALID", `Invalid digest '${route.digest}'`),
            request,
          );
        }
        const artifactType = url.searchParams.get("artifactType");
        const referrers = await orFail(
          response,
          request,
          "manifest",
          registry.listReferrers({
            ...ref,
            digest: route.digest,
            ...(artifactType === null ? {} : { artifactType }),
          }),
        );
        if (referrers === undefined) return;
        return sendJson(
          response,
          200,
          { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: referrers },
          {
            "content-type": MediaTypes.ociIndex,
            ...(artifactType === null ? {} : { "oci-filters-applied": "artifactType" }),
          },
        );
      }
    }
    sendError(response, ociError(405, "UNSUPPORTED", `${method} is not supported here`), request);
  };

  /** PATCH: a chunk with Content-Range (checked like an ECR part), or a stream appended at the end. */
  const writeChunk = async (
    request: IncomingMessage,
    response: ServerResponse,
    ref: { registryId: RegistryId; repositoryName: RepositoryName },
    uploadId: UploadId,
  ): Promise<{ size: number } | undefined> => {
    const range = parseContentRange(request.headers["content-range"]);
    if (range === "invalid") {
      const progress = await registry.layerUploadProgress({ ...ref, uploadId });
      if (E.isLeft(progress)) {
        sendError(response, ociErrorOf(progress.left, "upload"), request);
        return undefined;
      }
      sendError(
        response,
        {
          ...ociError(416, "BLOB_UPLOAD_INVALID", "Content-Range must be <start>-<end>"),
          headers: uploadHeaders(ref.repositoryName, uploadId, progress.right.size),
        },
        request,
      );
      return undefined;
    }
    const written =
      range === undefined
        ? await registry.appendToLayerUpload({ ...ref, uploadId, bytes: request })
        : E.map((part: { lastByteReceived: number }) => ({ size: part.lastByteReceived + 1 }))(
            await registry.uploadLayerPart({
              ...ref,
              uploadId,
              partFirstByte: range.first,
              partLastByte: range.last,
              layerPartBlob: request,
            }),
          );
    if (E.isRight(written)) return written.right;
    const error = ociErrorOf(written.left, "upload");
    // A refused chunk (416) tells the client where the upload is, as every upload response does.
    sendError(
      response,
      written.left._tag === "InvalidLayerPartException"
        ? {
            ...error,
            headers: uploadHeaders(ref.repositoryName, uploadId, written.left.lastValidByteReceived + 1),
          }
        : error,
      request,
    );
    return undefined;
  };

  /** Closes an upload with its last bytes, if any: POST ?digest= (monolithic) or PUT ?digest=. */
  const finish = async (
    request: IncomingMessage,
    response: ServerResponse,
    ref: { registryId: RegistryId; repositoryName: RepositoryName },
    uploadId: UploadId,
    digest: string,
  ) => {
    const hasBody =
      Number(request.headers["content-length"] ?? 0) > 0 ||
      request.headers["transfer-encoding"] !== undefined;
    if (hasBody && (await writeChunk(request, response, ref, uploadId)) === undefined) return;
    const completed = await registry.completeLayerUpload({
      ...ref,
      uploadId,
      layerDigests: [digest],
      rules: "oci",
    });
    // A blob the repository already has is a success for OCI clients: the push can go on.
    if (E.isLeft(completed) && completed.left._tag !== "LayerAlreadyExistsException") {
      return sendError(response, ociErrorOf(completed.left, "upload"), request);
    }
    sendEmpty(response, 201, {
      location: `/v2/${ref.repositoryName}/blobs/${digest}`,
      "docker-content-digest": digest,
    });
  };

  /** Manifests by tag or digest: PUT (PutImage), GET/HEAD (BatchGetImage), DELETE (BatchDeleteImage). */
  const manifest = async (
    request: IncomingMessage,
    response: ServerResponse,
    ref: { registryId: RegistryId; repositoryName: RepositoryName },
    reference: string,
  ) => {
    const byDigest = reference.startsWith("sha256:") || reference.includes(":");
    if (!byDigest && !ImageTag.is(reference)) {
      // No such tag can exist: a PUT is refused as invalid, anything else finds nothing.
      return sendError(
        response,
        request.method === "PUT"
          ? ociError(400, "MANIFEST_INVALID", `Invalid tag '${reference}': a tag is 1 to 300 characters`)
          : ociError(404, "MANIFEST_UNKNOWN", `Invalid tag '${reference}': no manifest has it`),
        request,
      );
    }
    const imageId: ImageIdentifier = byDigest ? { imageDigest: reference } : { imageTag: reference };
    switch (request.method) {
      case "PUT": {
        await ensureRepository(ref.registryId, ref.repositoryName);
        let body: Buffer;
        try {
          body = await readBody(request, IMAGE_MANIFEST_MAX_LENGTH);
        } catch (error) {
          if (error instanceof BodyTooLargeError) {
            return sendError(response, ociError(413, "SIZE_INVALID", error.message), request);
          }
          throw error;
        }
        const text = body.toString("utf8");
        if (!Buffer.from(text, "utf8").equals(body)) {
          return sendError(
            response,
            ociError(400, "MANIFEST_INVALID", "A manifest must be UTF-8 encoded JSON"),
            request,
          );
        }
        const contentType = request.headers["content-type"]?.split(";")[0]?.trim();
        const put = await registry.putImage({
          ...ref,
          imageManifest: text,
          ...(contentType !== undefined && MediaType.is(contentType) && MANIFEST_TYPES.has(contentType)
            ? { imageManifestMediaType: contentType }
            : {}),
          ...(byDigest ? { imageDigest: reference } : { imageTag: reference as ImageTag }),
        });
        // Pushing the same manifest (and tag) again is how docker retries: it succeeds.
        if (E.isLeft(put) && put.left._tag !== "ImageAlreadyExistsException") {
          return sendError(response, ociErrorOf(put.left, "manifest"), request);
        }
        const digest = manifestDigest(text);
        const subject = (JSON.parse(text) as { subject?: { digest?: unknown } }).subject?.digest;
        return sendEmpty(response, 201, {
          location: `/v2/${ref.repositoryName}/manifests/${digest}`,
          "docker-content-digest": digest,
          ...(typeof subject === "string" ? { "oci-subject": subject } : {}),
        });
      }
      case "GET":
      case "HEAD": {
        const found = await orFail(
          response,
          request,
          "manifest",
          registry.batchGetImage({ ...ref, imageIds: [imageId] }),
        );
        if (found === undefined) return;
        const image = found.images[0];
        if (image === undefined) {
          const failure = found.failures[0];
          return sendError(
            response,
            ociError(
              404,
              "MANIFEST_UNKNOWN",
              `Manifest ${reference} is not in ${ref.repositoryName}`,
              failure,
            ),
            request,
          );
        }
        const accept = (request.headers.accept ?? "")
          .split(",")
          .map((part) => part.split(";")[0]!.trim())
          .filter((part) => part.length > 0);
        const acceptable =
          accept.length === 0 ||
          accept.includes(image.imageManifestMediaType) ||
          accept.some((type) => type === "*/*" || !MANIFEST_TYPES.has(type));
        if (!acceptable) {
          return sendError(
            response,
            ociError(
              404,
              "MANIFEST_UNKNOWN",
              `Manifest ${reference} is a ${image.imageManifestMediaType}, which the Accept header does not list`,
            ),
            request,
          );
        }
        const bytes = Buffer.from(image.imageManifest, "utf8");
        response.writeHead(200, {
          ...API_VERSION,
          "content-type": image.imageManifestMediaType,
          "content-length": String(bytes.length),
          "docker-content-digest": image.imageId.imageDigest,
          etag: `"${image.imageId.imageDigest}"`,
        });
        response.end(request.method === "HEAD" ? undefined : bytes);
        return;
      }
      case "DELETE": {
        const deleted = await orFail(
          response,
          request,
          "manifest",
          registry.batchDeleteImage({ ...ref, imageIds: [imageId] }),
        );
        if (deleted === undefined) return;
        const failure = deleted.failures[0];
        if (failure !== undefined) {
          const status = failure.failureCode === "ImageNotFound" ? 404 : 400;
          const code = failure.failureCode === "ImageNotFound" ? "MANIFEST_UNKNOWN" : "DENIED";
          return sendError(response, ociError(status, code, failure.failureReason, failure), request);
        }
        return sendEmpty(response, 202, {});
      }
    }
    sendError(
      response,
      ociError(405, "UNSUPPORTED", `${request.method} is not supported on manifests`),
      request,
    );
  };

  return async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const auth = authenticateBasic(request.headers, tokens, options.localAccountId, Date.now());
    if (!auth.ok) {
      return sendError(
        response,
        {
          ...ociError(401, "UNAUTHORIZED", auth.reason),
          headers: {
            "www-authenticate": `Basic realm="${options.baseUrlOf(request)}",service="ecr.amazonaws.com"`,
          },
        },
        request,
      );
    }
    const route = parseOciPath(url.pathname);
    if (route === undefined) {
      return sendError(response, ociError(404, "UNSUPPORTED", `No /v2 route for ${url.pathname}`), request);
    }
    if (route.kind === "base") return sendJson(response, 200, {});
    if (route.kind === "catalog") {
      const requested = Number(url.searchParams.get("n") ?? 1000);
      const n = Number.isInteger(requested) && requested >= 0 ? requested : 1000;
      const last = url.searchParams.get("last");
      const listed = await registry.listRepositoryNames({
        registryId: auth.accountId,
        n,
        ...(last === null ? {} : { last }),
      });
      if (E.isLeft(listed)) return sendError(response, ociErrorOf(listed.left, "manifest"), request);
      const page = listed.right;
      const lastName = page.names.at(-1);
      return sendJson(
        response,
        200,
        { repositories: page.names },
        page.more && lastName !== undefined
          ? { link: `</v2/_catalog?n=${n}&last=${encodeURIComponent(lastName)}>; rel="next"` }
          : {},
      );
    }
    return handle(request, response, url, route, auth.accountId);
  };
};
