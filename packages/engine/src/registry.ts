/**
 * `createRegistry`: the registry as a library, one typed method per ECR operation. Writes are core
 * commands run by the CommandHandler; reads are core queries over the caught-up state; layer bytes
 * stream into the BlobStore and only their measured size and sha256 reach the core.
 *
 * Every method resolves to an Either: Left is a RegistryError named like ECR's exception (a fault
 * the caller can fix); infrastructure failures (the database is down) reject the promise.
 */
import {
  type BatchGetImageQuery,
  type BerthCommand,
  type BerthEvent,
  type ByteOffset,
  batchCheckLayerAvailability,
  batchGetImage,
  type CompleteLayerUpload,
  type DeleteImages,
  type DescribeImagesQuery,
  type DescribeRepositoriesQuery,
  type Digest,
  decide,
  describeImages,
  describeRegistry,
  describeRepositories,
  describeRepository,
  downloadableLayer,
  type EncryptionType,
  findRepository,
  getRegistryPolicy,
  getRepositoryPolicy,
  type ImageIdentifier,
  type ImagesQuery,
  type ImageTag,
  type ImageTagMutability,
  type ImageTagMutabilityExclusionFilter,
  LAYER_PART_MIN_BYTES,
  listImages,
  listReferrers,
  listTags,
  listTagsForResource,
  type MediaType,
  manifestDigest,
  parseRepositoryArn,
  planImageDeletion,
  type QueryContext,
  type RegistryError,
  RegistryErrors,
  type RegistryId,
  type RegistryState,
  type RepositoryName,
  type ResourceTag,
  registrySettings,
  repositoryBlob,
  repositoryNamesAfter,
  singleLayerDigest,
  type Timestamp,
  type UploadId,
  type UploadLayerPart,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import { CommandHandler, type CommandHandlerOptions } from "./command-handler.js";
import { exactly, type LayerBytes, PartLengthMismatchError } from "./layer-bytes.js";
import {
  BlobMismatchError,
  type BlobStore,
  type ByteRange,
  UploadOffsetError,
  UploadUnknownError,
} from "./ports/blob-store.js";
import type { EventStore } from "./ports/event-store.js";

export interface RegistryOptions extends CommandHandlerOptions {
  readonly events: EventStore;
  readonly blobs: BlobStore;
  /** Epoch milliseconds; defaults to Date.now. */
  readonly clock?: () => number;
  /** Fresh upload ids (uuids); defaults to crypto.randomUUID. */
  readonly ids?: () => string;
  /** The registry used when a request names none (default 000000000000). */
  readonly defaultRegistryId?: RegistryId;
  /** Region for ARNs and the host for repository URIs (default us-east-1, localhost:5000). */
  readonly context?: QueryContext;
}

type Result<A> = Promise<E.Either<RegistryError, A>>;

interface RepositoryInput {
  readonly registryId?: RegistryId;
  readonly repositoryName: RepositoryName;
}
type WithRegistry<T> = Omit<T, "registryId"> & { readonly registryId?: RegistryId };

/** ECR's partSize hint for InitiateLayerUpload: the minimum part (5 MiB). */
export const PART_SIZE = LAYER_PART_MIN_BYTES;

export const createRegistry = (options: RegistryOptions) => {
  const { events, blobs } = options;
  const handler = new CommandHandler(events, options);
  const now = () => (options.clock ?? Date.now)() as Timestamp;
  const newId = options.ids ?? (() => crypto.randomUUID());
  const defaultRegistryId = options.defaultRegistryId ?? ("000000000000" as RegistryId);
  const context: QueryContext = options.context ?? {
    region: "us-east-1",
    registryHost: () => "localhost:5000",
  };
  const registryOf = (input: { readonly registryId?: RegistryId | undefined }) =>
    input.registryId ?? defaultRegistryId;
  const refOf = (input: RepositoryInput) => ({
    registryId: registryOf(input),
    repositoryName: input.repositoryName,
  });

  /** Runs a command; on success answers from the state right after its events were folded. */
  const run = async <A>(command: BerthCommand, answer: () => A): Result<A> => {
    const executed = await handler.execute(command);
    return E.isLeft(executed) ? executed : E.right(answer());
  };
  /** Runs a command; on success answers from its events and the state right after them. */
  const runWithEvents = async <A>(
    command: BerthCommand,
    answer: (events: ReadonlyArray<BerthEvent>) => A,
  ): Result<A> => {
    const executed = await handler.execute(command);
    return E.isLeft(executed) ? executed : E.right(answer(executed.right.events));
  };
  /** Runs a command and answers from what `observe` read of the state it was decided on. */
  const runObserving = async <A, B>(
    command: BerthCommand,
    observe: (decidedOn: RegistryState) => B,
    answer: (before: B) => A,
  ): Result<A> => {
    const executed = await handler.execute(command, observe);
    return E.isLeft(executed) ? executed : E.right(answer(executed.right.before));
  };
  /** Answers a query from state caught up with everything committed before the call. */
  const query = async <A>(read: () => E.Either<RegistryError, A>): Result<A> => {
    await handler.catchUp();
    return read();
  };
  /** Only called for a repository the command just found or created. */
  const describe = (state: RegistryState, registryId: RegistryId, name: RepositoryName) =>
    describeRepository(context, findRepository(state, registryId, name)!);

  const openUploadOf = (
    ref: { registryId: RegistryId; repositoryName: RepositoryName },
    uploadId: UploadId,
  ) =>
    findRepository(handler.state, ref.registryId, ref.repositoryName)?.openUploads.has(uploadId)
      ? handler.state.uploads.get(uploadId)
      : undefined;

  /**
   * Writes one part: `range` given (its length is then enforced while streaming), or appended at
   * the upload's end with whatever length arrives. Bytes go to the blob store first and the part's
   * event second; a refused part is refused before its first byte is written.
   */
  const writePart = async (
    ref: { registryId: RegistryId; repositoryName: RepositoryName },
    uploadId: UploadId,
    bytes: LayerBytes,
    range: { readonly first: number; readonly last: number } | undefined,
  ): Result<{ size: number }> => {
    await handler.catchUp();
    const upload = openUploadOf(ref, uploadId);
    const first = range?.first ?? upload?.bytesReceived ?? 0;
    const declared = range === undefined ? undefined : range.last - range.first + 1;
    const partCommand = (length: number): UploadLayerPart => ({
      type: "UploadLayerPart",
      data: {
        ...ref,
        uploadId,
        partFirstByte: first as ByteOffset,
        partLastByte: (range?.last ?? first + length - 1) as ByteOffset,
        partLength: length as ByteOffset,
      },
    });
    const precheck = decide(handler.state, partCommand(declared ?? 1));
    if (E.isLeft(precheck)) return precheck;
    const invalidPart = (reason: string) =>
      E.left(
        RegistryErrors.invalidLayerPart(
          ref.registryId,
          ref.repositoryName,
          uploadId,
          (upload?.bytesReceived ?? first) as ByteOffset,
          reason,
        ),
      );
    let size: number;
    try {
      const source = declared === undefined ? bytes : exactly(declared, bytes);
      size = (await blobs.appendToUpload(uploadId, first, source)).size;
    } catch (error) {
      if (error instanceof PartLengthMismatchError) return invalidPart(error.message);
      if (error instanceof UploadOffsetError) {
        return invalidPart(`the stored upload is at byte ${error.expectedOffset}; start the upload again`);
      }
      if (error instanceof UploadUnknownError)
        return E.left(RegistryErrors.uploadNotFound(uploadId, ref.repositoryName));
      throw error;
    }
    const length = size - first;
    if (length === 0) return E.right({ size });
    const executed = await handler.execute(partCommand(length));
    return E.isLeft(executed) ? executed : E.right({ size });
  };

  return {
    /** The folded state (read it right after awaiting a method or `catchUp`). */
    get state() {
      return handler.state;
    },
    catchUp: () => handler.catchUp(),
    context,

    createRepository: async (
      input: RepositoryInput & {
        readonly imageTagMutability?: ImageTagMutability;
        readonly imageTagMutabilityExclusionFilters?: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
        readonly imageScanningConfiguration?: { readonly scanOnPush?: boolean };
        readonly encryptionConfiguration?: {
          readonly encryptionType: EncryptionType;
          readonly kmsKey?: string;
        };
        readonly tags?: ReadonlyArray<ResourceTag>;
      },
    ) => {
      const ref = refOf(input);
      return run(
        {
          type: "CreateRepository",
          data: {
            ...ref,
            ...(input.imageTagMutability === undefined
              ? {}
              : { imageTagMutability: input.imageTagMutability }),
            ...(input.imageTagMutabilityExclusionFilters === undefined
              ? {}
              : { imageTagMutabilityExclusionFilters: input.imageTagMutabilityExclusionFilters }),
            scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
            encryptionType: input.encryptionConfiguration?.encryptionType ?? "AES256",
            ...(input.encryptionConfiguration?.kmsKey === undefined
              ? {}
              : { kmsKey: input.encryptionConfiguration.kmsKey }),
            tags: input.tags ?? [],
            createdAt: now(),
          },
        },
        () => ({ repository: describe(handler.state, ref.registryId, ref.repositoryName) }),
      );
    },

    deleteRepository: (input: RepositoryInput & { readonly force?: boolean }) => {
      const ref = refOf(input);
      return runObserving(
        { type: "DeleteRepository", data: { ...ref, force: input.force ?? false, deletedAt: now() } },
        (before) => describe(before, ref.registryId, ref.repositoryName),
        (repository) => ({ repository }),
      );
    },

    describeRepositories: (input: WithRegistry<DescribeRepositoriesQuery>) =>
      query(() => describeRepositories(handler.state, context, { ...input, registryId: registryOf(input) })),

    putImageTagMutability: (
      input: RepositoryInput & {
        readonly imageTagMutability: ImageTagMutability;
        readonly imageTagMutabilityExclusionFilters?: ReadonlyArray<ImageTagMutabilityExclusionFilter>;
      },
    ) => {
      const ref = refOf(input);
      return run({ type: "PutImageTagMutability", data: { ...input, ...ref } }, () => ({
        ...ref,
        imageTagMutability: input.imageTagMutability,
        ...(input.imageTagMutabilityExclusionFilters === undefined
          ? {}
          : { imageTagMutabilityExclusionFilters: input.imageTagMutabilityExclusionFilters }),
      }));
    },

    putImage: (
      input: RepositoryInput & {
        readonly imageManifest: string;
        readonly imageManifestMediaType?: MediaType;
        readonly imageTag?: ImageTag;
        readonly imageDigest?: string;
      },
    ) => {
      const ref = refOf(input);
      return runWithEvents({ type: "PutImage", data: { ...input, ...ref, pushedAt: now() } }, (events) => {
        // The digest as decided (ImagePushed or ImageTagged carry it): the manifest is not hashed twice.
        const decided = events[0]?.data;
        const digest =
          decided !== undefined && "imageDigest" in decided
            ? decided.imageDigest
            : manifestDigest(input.imageManifest);
        const image = findRepository(handler.state, ref.registryId, ref.repositoryName)?.images.get(digest);
        return {
          image: {
            ...ref,
            imageId: {
              imageDigest: digest,
              ...(input.imageTag === undefined ? {} : { imageTag: input.imageTag }),
            },
            imageManifest: input.imageManifest,
            imageManifestMediaType: image?.manifestMediaType ?? input.imageManifestMediaType,
          },
        };
      });
    },

    batchGetImage: (input: WithRegistry<BatchGetImageQuery>) =>
      query(() => batchGetImage(handler.state, { ...input, registryId: registryOf(input) })),

    batchDeleteImage: (input: RepositoryInput & { readonly imageIds: ReadonlyArray<ImageIdentifier> }) => {
      const command: DeleteImages = {
        type: "DeleteImages",
        data: { ...refOf(input), imageIds: input.imageIds },
      };
      return runObserving(
        command,
        (before) =>
          planImageDeletion(
            findRepository(before, command.data.registryId, command.data.repositoryName)!,
            command,
          ),
        ({ imageIds, failures }) => ({ imageIds, failures }),
      );
    },

    describeImages: (input: WithRegistry<DescribeImagesQuery>) =>
      query(() => describeImages(handler.state, { ...input, registryId: registryOf(input) })),

    listImages: (input: WithRegistry<ImagesQuery>) =>
      query(() => listImages(handler.state, { ...input, registryId: registryOf(input) })),

    initiateLayerUpload: async (input: RepositoryInput) => {
      const ref = refOf(input);
      const uploadId = newId() as UploadId;
      await blobs.createUpload(uploadId);
      const executed = await handler.execute({
        type: "InitiateLayerUpload",
        data: { ...ref, uploadId, initiatedAt: now() },
      });
      if (E.isLeft(executed)) {
        await blobs.abortUpload(uploadId);
        return executed;
      }
      return E.right({ uploadId, partSize: PART_SIZE });
    },

    /**
     * Streams one part into the upload (ECR UploadLayerPart, OCI PATCH with Content-Range). The range
     * is checked against the event log before a byte is written and the byte count against the
     * range while streaming: a refused part leaves the blob store and the log as they were.
     */
    uploadLayerPart: async (
      input: RepositoryInput & {
        readonly uploadId: UploadId;
        readonly partFirstByte: number;
        readonly partLastByte: number;
        readonly layerPartBlob: LayerBytes;
      },
    ) => {
      const written = await writePart(refOf(input), input.uploadId, input.layerPartBlob, {
        first: input.partFirstByte,
        last: input.partLastByte,
      });
      return E.map(() => ({
        ...refOf(input),
        uploadId: input.uploadId,
        lastByteReceived: input.partLastByte,
      }))(written);
    },

    /**
     * Appends whatever bytes arrive at the end of the upload (OCI PATCH without Content-Range, as
     * docker streams a layer). Resolves to the upload's size afterwards.
     */
    appendToLayerUpload: async (
      input: RepositoryInput & { readonly uploadId: UploadId; readonly bytes: LayerBytes },
    ) => writePart(refOf(input), input.uploadId, input.bytes, undefined),

    /** How many bytes an open upload holds (OCI upload status). */
    layerUploadProgress: (input: RepositoryInput & { readonly uploadId: UploadId }) =>
      query(() => {
        const ref = refOf(input);
        const upload = openUploadOf(ref, input.uploadId);
        return upload === undefined
          ? E.left(RegistryErrors.uploadNotFound(input.uploadId, ref.repositoryName))
          : E.right({ size: upload.bytesReceived });
      }),

    /** Cancels an upload: its bytes are dropped and the session closed (OCI DELETE). */
    discardLayerUpload: async (
      input: RepositoryInput & { readonly uploadId: UploadId; readonly reason?: string },
    ) => {
      const ref = refOf(input);
      const executed = await handler.execute({
        type: "DiscardLayerUpload",
        data: { ...ref, uploadId: input.uploadId, reason: input.reason ?? "cancelled by the client" },
      });
      if (E.isLeft(executed)) return executed;
      await blobs.abortUpload(input.uploadId);
      return E.right({});
    },

    /** Links a layer that another repository of the registry holds (OCI cross-repository mount). */
    mountLayer: (
      input: RepositoryInput & { readonly layerDigest: Digest; readonly fromRepository: RepositoryName },
    ) =>
      run(
        {
          type: "MountLayer",
          data: {
            ...refOf(input),
            layerDigest: input.layerDigest,
            fromRepository: input.fromRepository,
            mountedAt: now(),
          },
        },
        () => ({ layerDigest: input.layerDigest }),
      ),

    /** Repository names in lexical order after `last`, at most `n` (OCI catalog). */
    listRepositoryNames: async (input: {
      readonly registryId?: RegistryId;
      readonly n: number;
      readonly last?: string;
    }) => {
      await handler.catchUp();
      const names = repositoryNamesAfter(handler.state, registryOf(input), input.last ?? "");
      return { names: names.slice(0, input.n), more: names.length > input.n };
    },

    /** Tags in lexical order after `last`, at most `n` (OCI tags list). */
    listTags: (input: RepositoryInput & { readonly n?: number; readonly last?: string }) =>
      query(() => listTags(handler.state, { ...input, ...refOf(input) })),

    /** Manifests whose subject is `digest` (OCI referrers API). */
    listReferrers: (input: RepositoryInput & { readonly digest: Digest; readonly artifactType?: string }) =>
      query(() => listReferrers(handler.state, { ...input, ...refOf(input) })),

    /** A blob this repository holds, or undefined (OCI blob HEAD/GET). */
    repositoryBlob: (input: RepositoryInput & { readonly digest: Digest }) =>
      query(() => repositoryBlob(handler.state, { ...input, ...refOf(input) })),

    /**
     * Completes an upload: the blob store's measured size and sha256 are decided on by the core; on
     * success the bytes become a content-addressed blob first and the event is appended second, so an
     * acknowledged layer always has its bytes. Bytes that fail their digest are discarded.
     */
    completeLayerUpload: async (
      input: RepositoryInput & {
        readonly uploadId: UploadId;
        readonly layerDigests: ReadonlyArray<string>;
        /** ECR's rules by default; OCI uploads accept parts of any size and the empty blob. */
        readonly rules?: "ecr" | "oci";
      },
    ) => {
      const ref = refOf(input);
      // The core's rule, asked before the blob store is: a wrong count is refused as it always was.
      const declared = singleLayerDigest(input.layerDigests);
      if (E.isLeft(declared)) return declared;
      const layerDigest = declared.right;
      /** Closes the session in the log once its bytes are gone from the blob store (or never to be a layer). */
      const discard = (reason: string) =>
        handler.execute({ type: "DiscardLayerUpload", data: { ...ref, uploadId: input.uploadId, reason } });
      let received: CompleteLayerUpload["data"]["received"];
      try {
        const status = await blobs.uploadStatus(input.uploadId);
        received = { digest: status.digest as Digest, size: status.size as ByteOffset };
      } catch (error) {
        if (!(error instanceof UploadUnknownError)) throw error;
        // The log may still hold the session open while its bytes are gone (a crash between
        // finishing a blob and recording it): close it, so it does not stay open for ever.
        await discard("its bytes are no longer in the blob store");
        return E.left(RegistryErrors.uploadNotFound(input.uploadId, ref.repositoryName));
      }
      const command: CompleteLayerUpload = {
        type: "CompleteLayerUpload",
        data: {
          ...ref,
          uploadId: input.uploadId,
          layerDigests: input.layerDigests,
          received,
          rules: input.rules ?? "ecr",
          completedAt: now(),
        },
      };
      await handler.catchUp();
      const precheck = decide(handler.state, command);
      if (E.isLeft(precheck)) {
        const tag = precheck.left._tag;
        if (tag === "InvalidLayerException" || tag === "LayerAlreadyExistsException") {
          await blobs.abortUpload(input.uploadId);
          await discard(precheck.left.message);
        }
        return precheck;
      }
      try {
        await blobs.finishUpload(input.uploadId, received);
      } catch (error) {
        // Another request got to the upload since it was measured: a concurrent completion took
        // it (UploadNotFound, as when that one had finished first), or a part landed in between
        // and the blob store discarded it, so the session closes too.
        if (error instanceof UploadUnknownError)
          return E.left(RegistryErrors.uploadNotFound(input.uploadId, ref.repositoryName));
        if (!(error instanceof BlobMismatchError)) throw error;
        await discard(error.message);
        return E.left(
          RegistryErrors.invalidLayer(
            `Upload '${input.uploadId}' changed while it was being completed: ${error.message}`,
          ),
        );
      }
      const executed = await handler.execute(command);
      if (E.isLeft(executed)) {
        // Lost a race after the bytes became a blob (another upload of the same layer completed
        // first): the blob store's upload is gone, so the session must not stay open in the log.
        await discard(executed.left.message);
        return executed;
      }
      return E.right({ ...ref, uploadId: input.uploadId, layerDigest });
    },

    batchCheckLayerAvailability: (
      input: RepositoryInput & { readonly layerDigests: ReadonlyArray<string> },
    ) => query(() => batchCheckLayerAvailability(handler.state, { ...input, ...refOf(input) })),

    /** The layer GetDownloadUrlForLayer may serve; the HTTP edge turns it into a signed URL. */
    getDownloadableLayer: (input: RepositoryInput & { readonly layerDigest: string }) =>
      query(() => downloadableLayer(handler.state, { ...input, ...refOf(input) })),

    /** Streams a blob's bytes (or an inclusive range of them). */
    readBlob: (digest: Digest, range?: ByteRange) => blobs.read(digest, range),

    setRepositoryPolicy: (
      input: RepositoryInput & { readonly policyText: string; readonly force?: boolean },
    ) => {
      const ref = refOf(input);
      return run({ type: "SetRepositoryPolicy", data: { ...input, ...ref } }, () => ({
        ...ref,
        policyText: input.policyText,
      }));
    },
    getRepositoryPolicy: (input: RepositoryInput) =>
      query(() => getRepositoryPolicy(handler.state, refOf(input))),
    deleteRepositoryPolicy: (input: RepositoryInput) => {
      const ref = refOf(input);
      return runObserving(
        { type: "DeleteRepositoryPolicy", data: ref },
        (before) => findRepository(before, ref.registryId, ref.repositoryName)?.policyText ?? "",
        (policyText) => ({ ...ref, policyText }),
      );
    },

    putRegistryPolicy: (input: { readonly registryId?: RegistryId; readonly policyText: string }) => {
      const registryId = registryOf(input);
      return run({ type: "PutRegistryPolicy", data: { registryId, policyText: input.policyText } }, () => ({
        registryId,
        policyText: input.policyText,
      }));
    },
    getRegistryPolicy: (input: { readonly registryId?: RegistryId } = {}) =>
      query(() => getRegistryPolicy(handler.state, { registryId: registryOf(input) })),
    deleteRegistryPolicy: (input: { readonly registryId?: RegistryId } = {}) => {
      const registryId = registryOf(input);
      return runObserving(
        { type: "DeleteRegistryPolicy", data: { registryId } },
        (before) => registrySettings(before, registryId).policyText ?? "",
        (policyText) => ({ registryId, policyText }),
      );
    },
    describeRegistry: (input: { readonly registryId?: RegistryId } = {}) =>
      query(() => E.right(describeRegistry(handler.state, { registryId: registryOf(input) }))),

    /** Registry-wide settings recorded in the log (lenient: accept what moto accepts). */
    putRegistrySettings: (input: { readonly registryId?: RegistryId; readonly lenient: boolean }) => {
      const registryId = registryOf(input);
      return run({ type: "PutRegistrySettings", data: { registryId, lenient: input.lenient } }, () => ({
        registryId,
        lenient: input.lenient,
      }));
    },

    tagResource: (input: { readonly resourceArn: string; readonly tags: ReadonlyArray<ResourceTag> }) =>
      withArn(input.resourceArn, (ref) =>
        run({ type: "TagResource", data: { ...ref, tags: input.tags } }, () => ({})),
      ),
    untagResource: (input: { readonly resourceArn: string; readonly tagKeys: ReadonlyArray<string> }) =>
      withArn(input.resourceArn, (ref) =>
        run({ type: "UntagResource", data: { ...ref, tagKeys: input.tagKeys } }, () => ({})),
      ),
    listTagsForResource: (input: { readonly resourceArn: string }) =>
      withArn(input.resourceArn, (ref) => query(() => listTagsForResource(handler.state, ref))),
  };
};

const withArn = async <A>(
  arn: string,
  then: (ref: { registryId: RegistryId; repositoryName: RepositoryName }) => Result<A>,
): Result<A> => {
  const parsed = parseRepositoryArn(arn);
  return E.isLeft(parsed)
    ? parsed
    : then({ registryId: parsed.right.registryId, repositoryName: parsed.right.repositoryName });
};

export type Registry = ReturnType<typeof createRegistry>;
