/**
 * Blob uploads (`/v2/<name>/blobs/uploads/[<id>]`) as ECR layer uploads: POST opens a session (or
 * mounts from another repository, or takes the whole blob at once), PATCH adds a chunk (checked
 * like an ECR part), GET tells the progress, PUT ?digest= closes, DELETE cancels.
 */
import { Digest, RepositoryName, type UploadId, UploadId as UploadIdCodec } from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import { ensureRepository, type RepositoryCall, type RepositoryScope } from "./oci-context.js";
import { ociError, ociErrorOf } from "./oci-errors.js";
import { orFail, sendEmpty, sendError } from "./oci-responses.js";

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

/** Where the upload is and how much it holds: every upload response carries them. */
const uploadHeaders = (name: string, uploadId: string, size: number): Record<string, string> => ({
  location: `/v2/${name}/blobs/uploads/${uploadId}`,
  range: `0-${Math.max(size - 1, 0)}`,
  "docker-upload-uuid": uploadId,
});

/** PATCH: a chunk with Content-Range (checked like an ECR part), or a stream appended at the end. */
const writeChunk = async (
  call: RepositoryScope,
  uploadId: UploadId,
): Promise<{ size: number } | undefined> => {
  const { request, response, registry, ref } = call;
  const range = parseContentRange(request.headers["content-range"]);
  if (range === "invalid") {
    const progress = await orFail(call, "upload", registry.layerUploadProgress({ ...ref, uploadId }));
    if (progress === undefined) return undefined;
    sendError(
      response,
      {
        ...ociError(416, "BLOB_UPLOAD_INVALID", "Content-Range must be <start>-<end>"),
        headers: uploadHeaders(ref.repositoryName, uploadId, progress.size),
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
const finish = async (call: RepositoryScope, uploadId: UploadId, digest: string) => {
  const { request, response, registry, ref } = call;
  const hasBody =
    Number(request.headers["content-length"] ?? 0) > 0 || request.headers["transfer-encoding"] !== undefined;
  if (hasBody && (await writeChunk(call, uploadId)) === undefined) return;
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

/** POST: mount `?mount=&from=` when it can be done, else open a session (closed at once with ?digest=). */
export const startUpload = async (call: RepositoryCall<"uploads">) => {
  const { response, url, registry, ref } = call;
  await ensureRepository(call);
  const mount = url.searchParams.get("mount");
  const from = url.searchParams.get("from");
  if (mount !== null && from !== null && Digest.is(mount) && RepositoryName.is(from)) {
    const mounted = await registry.mountLayer({ ...ref, layerDigest: mount, fromRepository: from });
    if (E.isRight(mounted)) {
      return sendEmpty(response, 201, {
        location: `/v2/${ref.repositoryName}/blobs/${mount}`,
        "docker-content-digest": mount,
      });
    }
    // The spec: when a mount cannot be done, start an ordinary upload instead.
  }
  const initiated = await orFail(call, "upload", registry.initiateLayerUpload(ref));
  if (initiated === undefined) return;
  const digest = url.searchParams.get("digest");
  if (digest !== null) return finish(call, initiated.uploadId, digest);
  sendEmpty(response, 202, uploadHeaders(ref.repositoryName, initiated.uploadId, 0));
};

type UploadHandler = (call: RepositoryCall<"upload">, uploadId: UploadId) => Promise<void>;

/** Runs `handle` on the session the path names; an id Berth never issued is BLOB_UPLOAD_UNKNOWN. */
const onUpload =
  (handle: UploadHandler) =>
  async (call: RepositoryCall<"upload">): Promise<void> => {
    const { uploadId } = call.route;
    if (UploadIdCodec.is(uploadId)) return handle(call, uploadId);
    const error = ociError(404, "BLOB_UPLOAD_UNKNOWN", `Unknown upload ${uploadId}`);
    sendError(call.response, error, call.request);
  };

export const uploadProgress = onUpload(async (call, uploadId) => {
  const progress = await orFail(call, "upload", call.registry.layerUploadProgress({ ...call.ref, uploadId }));
  if (progress === undefined) return;
  sendEmpty(call.response, 204, uploadHeaders(call.ref.repositoryName, uploadId, progress.size));
});

export const patchUpload = onUpload(async (call, uploadId) => {
  const written = await writeChunk(call, uploadId);
  if (written === undefined) return;
  sendEmpty(call.response, 202, uploadHeaders(call.ref.repositoryName, uploadId, written.size));
});

export const closeUpload = onUpload(async (call, uploadId) => {
  const digest = call.url.searchParams.get("digest");
  if (digest !== null) return finish(call, uploadId, digest);
  const error = ociError(400, "DIGEST_INVALID", "PUT closing an upload needs ?digest=");
  sendError(call.response, error, call.request);
});

export const cancelUpload = onUpload(async (call, uploadId) => {
  const discarded = await orFail(call, "upload", call.registry.discardLayerUpload({ ...call.ref, uploadId }));
  if (discarded === undefined) return;
  sendEmpty(call.response, 204, {});
});
