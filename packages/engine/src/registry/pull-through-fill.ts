/**
 * The fill of a pull-through cache: a pull of an image or blob a cache repository does not hold yet
 * fetches it from the upstream the core says covers the repository, and stores it through the
 * registry's own commands (CreateRepository, the layer-upload saga, PutImage), so every fact is in
 * the log and a crash at any step leaves nothing half-visible: blobs are hashed on their way into
 * the blob store and a digest mismatch stores nothing; a manifest is stored only once every blob
 * and child manifest it references is. Concurrent pulls of one missing image share one fill in a
 * process; across processes the commands are idempotent (OCI rules), so a race stores it once.
 */
import {
  Digest,
  findRepository,
  type ImageTag,
  isUpstreamCheckDue,
  MediaType,
  manifestDigest,
  type PullThroughSource,
  parseManifest,
  pullThroughCacheRepositoryCommand,
  pullThroughSourceOf,
  type RegistryError,
  RegistryErrors,
  repositoryBlob,
  type Timestamp,
} from "@berth/core";
import * as E from "fp-ts/lib/Either.js";
import {
  DEFAULT_PULL_THROUGH_REFRESH_MS,
  noUpstream,
  type PullThroughOptions,
  type UpstreamRepository,
  UpstreamUnavailableError,
} from "../ports/upstream-registry.js";
import type { ImageOperations } from "./image-operations.js";
import type { LayerOperations } from "./layer-operations.js";
import type { RegistryRuntime, RepositoryRef } from "./registry-runtime.js";

type Filled = E.Either<RegistryError, void>;
const done: Filled = E.right(undefined);

/** A failure of one fill step, with the message the caller's error carries. */
class FillError extends Error {}

export interface PullThroughFill {
  /** Makes sure the image is held (fetching it when a rule covers the repository); Left when it cannot be had. */
  ensureImage(
    ref: RepositoryRef,
    imageId: { readonly imageDigest?: string; readonly imageTag?: string },
  ): Promise<Filled>;
  /** Makes sure the blob is held (fetching it when a rule covers the repository). */
  ensureBlob(ref: RepositoryRef, digest: string): Promise<Filled>;
  /** The upstream repository behind a cache repository, when a rule covers it. */
  sourceOf(ref: RepositoryRef): UpstreamRepository | undefined;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const createPullThroughFill = (
  runtime: RegistryRuntime,
  layers: LayerOperations,
  images: Pick<ImageOperations, "putImage">,
  options: PullThroughOptions,
): PullThroughFill => {
  const { handler, now } = runtime;
  const upstream = options.upstream ?? noUpstream;
  const refreshMs = options.pullThroughRefreshMs ?? DEFAULT_PULL_THROUGH_REFRESH_MS;
  const inflight = new Map<string, Promise<Filled>>();
  /** When each cached tag was last found current upstream by this process. */
  const checkedAt = new Map<string, Timestamp>();

  /** One fill per key at a time: a second caller waits for the first's outcome. */
  const once = (key: string, work: () => Promise<Filled>): Promise<Filled> => {
    const running = inflight.get(key);
    if (running !== undefined) return running;
    const started = work().finally(() => inflight.delete(key));
    inflight.set(key, started);
    return started;
  };

  const upstreamOf = (source: PullThroughSource): UpstreamRepository => {
    const credentials =
      source.rule.credentialArn === undefined
        ? undefined
        : options.upstreamCredentials?.get(source.rule.credentialArn);
    return {
      url: source.upstreamUrl,
      repository: source.upstreamRepository,
      ...(credentials === undefined ? {} : { credentials }),
    };
  };
  const sourceOf = (ref: RepositoryRef) => {
    const source = pullThroughSourceOf(handler.state, ref.registryId, ref.repositoryName);
    return source === undefined ? undefined : upstreamOf(source);
  };

  const ensureRepository = async (ref: RepositoryRef) => {
    if (findRepository(handler.state, ref.registryId, ref.repositoryName) !== undefined) return;
    const created = await handler.execute(
      pullThroughCacheRepositoryCommand(ref.registryId, ref.repositoryName, now()),
    );
    if (E.isLeft(created) && created.left._tag !== "RepositoryAlreadyExistsException") {
      throw new FillError(created.left.message);
    }
  };

  const holdsBlob = (ref: RepositoryRef, digest: Digest) => {
    const held = repositoryBlob(handler.state, { ...ref, digest });
    return E.isRight(held) && held.right !== undefined;
  };

  /** Streams one blob from upstream into a fresh upload of the repository; its digest is checked on completion. */
  const fetchBlob = async (ref: RepositoryRef, from: UpstreamRepository, digest: Digest) => {
    await ensureRepository(ref);
    const arriving = await upstream.getBlob(from, digest);
    // A stream the upstream breaks off fails the upload; the saga may wrap its error, so note it here.
    let broken: unknown;
    const bytes = (async function* () {
      try {
        yield* arriving;
      } catch (error) {
        broken = error;
        throw error;
      }
    })();
    const initiated = await layers.initiateLayerUpload(ref);
    if (E.isLeft(initiated)) throw new FillError(initiated.left.message);
    const upload = { ...ref, uploadId: initiated.right.uploadId };
    try {
      const appended = await layers.appendToLayerUpload({ ...upload, bytes });
      if (E.isLeft(appended)) throw new FillError(appended.left.message);
    } catch (error) {
      await layers.discardLayerUpload({ ...upload, reason: "the upstream blob did not arrive whole" });
      throw broken === undefined ? error : new FillError(messageOf(broken));
    }
    const completed = await layers.completeLayerUpload({ ...upload, layerDigests: [digest], rules: "oci" });
    if (E.isLeft(completed)) throw new FillError(`blob ${digest} from upstream: ${completed.left.message}`);
  };

  const fillBlob = (ref: RepositoryRef, from: UpstreamRepository, digest: Digest) =>
    once(`blob ${ref.registryId}/${ref.repositoryName}@${digest}`, async () => {
      if (holdsBlob(ref, digest)) return done;
      try {
        await fetchBlob(ref, from, digest);
        return done;
      } catch (error) {
        if (!(error instanceof UpstreamUnavailableError || error instanceof FillError)) throw error;
        return E.left(
          RegistryErrors.unableToGetUpstreamLayer(
            `Unable to get layer ${digest} of '${from.repository}' from the upstream registry ${from.url}: ${error.message}`,
          ),
        );
      }
    });

  /** Fetches a manifest, then what it references, then stores it (under `tag` when pulled by tag). */
  const fetchImage = async (
    ref: RepositoryRef,
    from: UpstreamRepository,
    reference: string,
    tag: ImageTag | undefined,
  ): Promise<void> => {
    const manifest = await upstream.getManifest(from, reference);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(manifest.bytes);
    } catch {
      throw new FillError(`the manifest of ${reference} is not UTF-8 text`);
    }
    const digest = manifestDigest(text);
    if (Digest.is(reference) && digest !== reference) {
      throw new FillError(`the upstream answered a manifest whose digest is ${digest}, not ${reference}`);
    }
    const declared = manifest.mediaType?.split(";")[0]?.trim();
    const parsed = parseManifest(
      text,
      declared !== undefined && MediaType.is(declared) ? declared : undefined,
    );
    if (E.isLeft(parsed)) throw new FillError(parsed.left.message);
    await ensureRepository(ref);
    for (const child of parsed.right.children) {
      if (!findRepository(handler.state, ref.registryId, ref.repositoryName)?.images.has(child)) {
        await fetchImage(ref, from, child, undefined);
      }
    }
    for (const blob of parsed.right.blobs) {
      const filled = await fillBlob(ref, from, blob);
      if (E.isLeft(filled)) throw new FillError(filled.left.message);
    }
    const put = await images.putImage({
      ...ref,
      imageManifest: text,
      imageManifestMediaType: parsed.right.mediaType,
      ...(tag === undefined ? {} : { imageTag: tag }),
      rules: "oci",
    });
    if (E.isLeft(put)) throw new FillError(put.left.message);
  };

  const fillImage = (
    ref: RepositoryRef,
    from: UpstreamRepository,
    reference: string,
    tag: ImageTag | undefined,
  ) =>
    once(`image ${ref.registryId}/${ref.repositoryName}:${reference}`, async () => {
      try {
        await fetchImage(ref, from, reference, tag);
        return done;
      } catch (error) {
        if (!(error instanceof UpstreamUnavailableError || error instanceof FillError)) throw error;
        return E.left(
          RegistryErrors.unableToGetUpstreamImage(
            `Unable to get image '${reference}' of '${from.repository}' from the upstream registry ${from.url}: ${messageOf(error)}`,
          ),
        );
      }
    });

  return {
    sourceOf,
    ensureImage: async (ref, imageId) => {
      await handler.catchUp();
      const from = sourceOf(ref);
      if (from === undefined) return done;
      const repository = findRepository(handler.state, ref.registryId, ref.repositoryName);
      if (imageId.imageDigest !== undefined) {
        return repository?.images.has(imageId.imageDigest as Digest)
          ? done
          : fillImage(ref, from, imageId.imageDigest, undefined);
      }
      if (imageId.imageTag === undefined) return done;
      const tag = imageId.imageTag as ImageTag;
      const cached = repository?.tags.get(tag);
      const key = `${ref.registryId}/${ref.repositoryName}:${tag}`;
      if (cached === undefined) {
        const filled = await fillImage(ref, from, tag, tag);
        if (E.isRight(filled)) checkedAt.set(key, now());
        return filled;
      }
      const last = checkedAt.get(key) ?? repository?.images.get(cached)?.pushedAt ?? (0 as Timestamp);
      if (!isUpstreamCheckDue(last, now(), refreshMs)) return done;
      // Due for a check: a newer image upstream replaces the tag; an upstream gone keeps the cached one.
      const refreshed = await fillImage(ref, from, tag, tag);
      if (E.isRight(refreshed)) checkedAt.set(key, now());
      return done;
    },
    ensureBlob: async (ref, digest) => {
      await handler.catchUp();
      const from = sourceOf(ref);
      if (from === undefined || !Digest.is(digest) || holdsBlob(ref, digest)) return done;
      return fillBlob(ref, from, digest);
    },
  };
};
