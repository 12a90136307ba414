/**
 * The branded values of the domain as request members, keyed by the name of their shape in the ECR
 * model, each with the constraints it is declared to enforce. A test checks every declaration twice:
 * against the model, and against what the branded codec really accepts.
 */
import {
  AccountId,
  ByteOffset,
  EncryptionType,
  ImageStatusFilter,
  ImageStorageClass,
  ImageTag,
  ImageTagMutability,
  ImageTagMutabilityExclusionFilter,
  RepositoryName,
  TagStatus,
  UploadId,
} from "../values/primitives.js";
import { declared } from "./constraint-codecs.js";
import type { EnumConstraints } from "./constraints.js";

/** The values of a `t.keyof` codec, which are its keys. */
const keysOf = (codec: { readonly keys: object }): EnumConstraints => ({
  kind: "enum",
  values: Object.keys(codec.keys),
});

export const BrandedMembers = {
  RegistryId: declared(AccountId, { kind: "string", pattern: "[0-9]{12}" }),
  RepositoryName: declared(RepositoryName, {
    kind: "string",
    min: 2,
    max: 256,
    pattern: "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*",
  }),
  ImageTag: declared(ImageTag, { kind: "string", min: 1, max: 300 }),
  UploadId: declared(UploadId, {
    kind: "string",
    pattern: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
  }),
  PartSize: declared(ByteOffset, { kind: "integer", min: 0 }),
  TagStatus: declared(TagStatus, keysOf(TagStatus)),
  ImageStatusFilter: declared(ImageStatusFilter, keysOf(ImageStatusFilter)),
  TargetStorageClass: declared(ImageStorageClass, keysOf(ImageStorageClass)),
  // In the order ECR's messages list them (the model lists them in another).
  ImageTagMutability: declared(ImageTagMutability, {
    kind: "enum",
    values: ["IMMUTABLE", "MUTABLE", "MUTABLE_WITH_EXCLUSION", "IMMUTABLE_WITH_EXCLUSION"],
  }),
  EncryptionType: declared(EncryptionType, keysOf(EncryptionType)),
  ImageTagMutabilityExclusionFilterType: declared(ImageTagMutabilityExclusionFilter.props.filterType, {
    kind: "enum",
    values: ["WILDCARD"],
  }),
  ImageTagMutabilityExclusionFilterValue: declared(ImageTagMutabilityExclusionFilter.props.filter, {
    kind: "string",
    min: 1,
    max: 128,
    pattern: "^[0-9a-zA-Z._*-]{1,128}$",
  }),
};
