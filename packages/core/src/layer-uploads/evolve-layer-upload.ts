/** How layer upload and mount events change the state. */
import { repositoryStep, type UploadDraft } from "../kernel/registry-state.js";
import type { EvolveTable } from "../kernel/slice.js";
import { LAYER_PART_MIN_BYTES } from "../values/primitives.js";
import type { LayerUploadEvent } from "./layer-upload-events.js";
import { linkLayer } from "./repository-layers.js";
import { uploadDeadline } from "./upload-expiry.js";

export const evolveLayerUpload: EvolveTable<LayerUploadEvent> = {
  LayerUploadInitiated: repositoryStep((repository, { data }, draft) => {
    repository.openUploads.set(data.uploadId, data.initiatedAt);
    draft.uploads.set(data.uploadId, {
      registryId: data.registryId,
      repositoryName: data.repositoryName,
      uploadId: data.uploadId,
      expiresAt: uploadDeadline(data.initiatedAt, data.expiresAt),
      bytesReceived: 0 as UploadDraft["bytesReceived"],
      partCount: 0,
      lastPartLength: 0,
      shortPartBeforeLast: undefined,
    });
  }),
  // In the upload's own stream: it changes the upload alone, whatever became of its repository.
  LayerPartUploaded: (draft, { data }) => {
    const upload = draft.uploads.get(data.uploadId);
    if (upload === undefined) return;
    const length = data.partLastByte - data.partFirstByte + 1;
    if (upload.partCount > 0 && upload.lastPartLength < LAYER_PART_MIN_BYTES && !upload.shortPartBeforeLast) {
      upload.shortPartBeforeLast = { partNumber: upload.partCount, size: upload.lastPartLength };
    }
    upload.partCount++;
    upload.lastPartLength = length;
    upload.bytesReceived = (upload.bytesReceived + length) as UploadDraft["bytesReceived"];
  },
  LayerUploadCompleted: repositoryStep((repository, { data }, draft) => {
    repository.openUploads.delete(data.uploadId);
    draft.uploads.delete(data.uploadId);
    linkLayer(repository, data.layerDigest);
  }),
  LayerUploadDiscarded: repositoryStep((repository, { data }, draft) => {
    repository.openUploads.delete(data.uploadId);
    draft.uploads.delete(data.uploadId);
    draft.releasableUploads.set(data.uploadId, data.registryId);
  }),
  LayerUploadExpired: repositoryStep((repository, { data }, draft) => {
    repository.openUploads.delete(data.uploadId);
    repository.expiredUploads.set(
      data.uploadId,
      draft.uploads.get(data.uploadId)?.expiresAt ?? data.expiredAt,
    );
    draft.uploads.delete(data.uploadId);
    draft.releasableUploads.set(data.uploadId, data.registryId);
  }),
  // In the upload's own stream, like its parts.
  UploadBytesReleased: (draft, { data }) => {
    draft.releasableUploads.delete(data.uploadId);
  },
  LayerLinked: repositoryStep((repository, { data }) => linkLayer(repository, data.layerDigest)),
};
