/** The layer uploads slice: upload sessions, their parts, their completion, and layer mounts. */
import type { Slice } from "../kernel/slice.js";
import { decideCompleteLayerUpload } from "./decide-complete-layer-upload.js";
import {
  decideDiscardLayerUpload,
  decideExpireLayerUpload,
  decideInitiateLayerUpload,
  decideReleaseUploadBytes,
  decideUploadLayerPart,
} from "./decide-layer-upload.js";
import { decideMountLayer } from "./decide-mount-layer.js";
import { evolveLayerUpload } from "./evolve-layer-upload.js";
import type { LayerUploadCommand } from "./layer-upload-commands.js";
import type { LayerUploadEvent } from "./layer-upload-events.js";

export const layerUploadDecider: Slice<LayerUploadCommand, LayerUploadEvent> = {
  decide: {
    InitiateLayerUpload: decideInitiateLayerUpload,
    UploadLayerPart: decideUploadLayerPart,
    CompleteLayerUpload: decideCompleteLayerUpload,
    DiscardLayerUpload: decideDiscardLayerUpload,
    ExpireLayerUpload: decideExpireLayerUpload,
    ReleaseUploadBytes: decideReleaseUploadBytes,
    MountLayer: decideMountLayer,
  },
  evolve: evolveLayerUpload,
};
