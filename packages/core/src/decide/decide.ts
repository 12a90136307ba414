/**
 * `decide(state, command)`: the registry's one decision function. It returns the events to append,
 * or the RegistryError that refuses the command; a refusal never comes with events. All events of
 * one decision belong to one stream (`streamOf`), so an engine appends them atomically.
 */
import type { BerthCommand } from "../commands.js";
import type { RegistryState } from "../state.js";
import type { Decision } from "./decision.js";
import { decideDeleteImages, decidePutImage } from "./image.js";
import {
  decideDeleteRegistryPolicy,
  decidePutRegistryPolicy,
  decidePutRegistrySettings,
} from "./registry.js";
import {
  decideCreateRepository,
  decideDeleteRepository,
  decideDeleteRepositoryPolicy,
  decidePutImageTagMutability,
  decideSetRepositoryPolicy,
  decideTagResource,
  decideUntagResource,
} from "./repository.js";
import {
  decideCompleteLayerUpload,
  decideDiscardLayerUpload,
  decideInitiateLayerUpload,
  decideMountLayer,
  decideUploadLayerPart,
} from "./upload.js";

export const decide = (state: RegistryState, command: BerthCommand): Decision => {
  switch (command.type) {
    case "CreateRepository":
      return decideCreateRepository(state, command);
    case "DeleteRepository":
      return decideDeleteRepository(state, command);
    case "PutImageTagMutability":
      return decidePutImageTagMutability(state, command);
    case "PutImage":
      return decidePutImage(state, command);
    case "DeleteImages":
      return decideDeleteImages(state, command);
    case "InitiateLayerUpload":
      return decideInitiateLayerUpload(state, command);
    case "UploadLayerPart":
      return decideUploadLayerPart(state, command);
    case "CompleteLayerUpload":
      return decideCompleteLayerUpload(state, command);
    case "DiscardLayerUpload":
      return decideDiscardLayerUpload(state, command);
    case "MountLayer":
      return decideMountLayer(state, command);
    case "SetRepositoryPolicy":
      return decideSetRepositoryPolicy(state, command);
    case "DeleteRepositoryPolicy":
      return decideDeleteRepositoryPolicy(state, command);
    case "PutRegistryPolicy":
      return decidePutRegistryPolicy(state, command);
    case "DeleteRegistryPolicy":
      return decideDeleteRegistryPolicy(state, command);
    case "PutRegistrySettings":
      return decidePutRegistrySettings(state, command);
    case "TagResource":
      return decideTagResource(state, command);
    case "UntagResource":
      return decideUntagResource(state, command);
  }
};
