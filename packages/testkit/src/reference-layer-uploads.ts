/** UploadLayerPart and CompleteLayerUpload in the reference model: parts counted, then checked. */
import type { BerthCommand } from "@berth/core";
import {
  ok,
  type ReferenceOutcome,
  type ReferenceRepository,
  type ReferenceUpload,
  refused,
  SHA256_DIGEST,
} from "./reference-model.js";

const FIVE_MIB = 5 * 1024 * 1024;

const receivedBytes = (upload: ReferenceUpload) => upload.partLengths.reduce((a, b) => a + b, 0);

/** A part must start where the upload ends and hold exactly the bytes its range declares. */
export const uploadReferencePart = (
  upload: ReferenceUpload,
  data: Extract<BerthCommand, { type: "UploadLayerPart" }>["data"],
): ReferenceOutcome => {
  const received = receivedBytes(upload);
  const { partFirstByte: first, partLastByte: last, partLength: length } = data;
  if (first !== received || last < first || last - first + 1 !== length) {
    return { ok: false, error: "InvalidLayerPartException", lastValidByteReceived: received - 1 };
  }
  upload.partLengths.push(length);
  return ok;
};

/** Checks the parts, then the size, then the digest, and links the layer (the caller closes the upload). */
export const completeReferenceUpload = (
  repository: ReferenceRepository,
  upload: ReferenceUpload,
  data: Extract<BerthCommand, { type: "CompleteLayerUpload" }>["data"],
  lenient: boolean,
): ReferenceOutcome => {
  const parts = upload.partLengths;
  if (parts.length === 0 && data.rules === "ecr") return refused("EmptyUploadException");
  // ECR's 5 MiB rule; OCI uploads and lenient registries (as moto) do without it.
  const enforce = data.rules === "ecr" && !lenient;
  if (enforce && parts.slice(0, -1).some((length) => length < FIVE_MIB)) {
    return refused("LayerPartTooSmallException");
  }
  const [layerDigest = ""] = data.layerDigests;
  const { received } = data;
  if (!SHA256_DIGEST.test(layerDigest)) return refused("InvalidLayerException");
  if (received.size !== receivedBytes(upload)) return refused("InvalidLayerException");
  if (received.digest !== layerDigest) return refused("InvalidLayerException");
  if (repository.layers.has(received.digest)) return refused("LayerAlreadyExistsException");
  repository.layers.set(received.digest, received.size);
  return ok;
};
