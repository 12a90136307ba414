/**
 * The state a hostile fuzz run must leave intact: repositories `keep/*` with tagged images, which
 * the fuzz may read and attack with requests that must fail, but never legitimately change; and
 * repositories `fuzz/*` with open uploads, where its requests may legitimately write.
 */
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  InitiateLayerUploadCommand,
  ListImagesCommand,
} from "@aws-sdk/client-ecr";
import type { RunningBerth } from "../support/berth-server.js";
import { type BuiltImage, bytesOf, pushImage, sha256 } from "./ecr-helpers.js";

export const KEPT_REPOSITORIES = ["keep/a", "keep/b"] as const;
export const FUZZ_REPOSITORIES = ["fuzz/a", "fuzz/b"] as const;

export interface KeptImage {
  readonly repositoryName: string;
  readonly tag: string;
  readonly image: BuiltImage;
  readonly layers: ReadonlyArray<Uint8Array>;
}

export interface HostileFixture {
  readonly kept: ReadonlyArray<KeptImage>;
  /** Upload sessions opened in fuzz/a, for requests that continue, close or cancel them. */
  readonly uploadIds: ReadonlyArray<string>;
  /** Digests of blobs the registry holds (configs and layers of the kept images). */
  readonly digests: ReadonlyArray<string>;
}

export const seedHostileFixture = async (berth: RunningBerth): Promise<HostileFixture> => {
  const ecr = berth.client();
  const kept: KeptImage[] = [];
  for (const [n, repositoryName] of KEPT_REPOSITORIES.entries()) {
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    for (const tag of ["v1", "latest"]) {
      const layers = [bytesOf(300 + n, n * 7 + tag.length), bytesOf(70_000, n + tag.length)];
      const image = await pushImage(ecr, repositoryName, { tag, layers, note: `${repositoryName}:${tag}` });
      kept.push({ repositoryName, tag, image, layers });
    }
  }
  for (const repositoryName of FUZZ_REPOSITORIES) {
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
  }
  const uploadIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: "fuzz/a" }));
    uploadIds.push(uploadId ?? "");
  }
  const digests = kept.flatMap(({ image }) => [image.configDigest, ...image.layerDigests]);
  return { kept, uploadIds, digests };
};

/** What differs from the seeded state, through both APIs (empty when intact, byte for byte). */
export const intactStateProblems = async (
  berth: RunningBerth,
  fixture: HostileFixture,
): Promise<string[]> => {
  const problems: string[] = [];
  const ecr = berth.client();
  const described = await ecr.send(
    new DescribeRepositoriesCommand({ repositoryNames: [...KEPT_REPOSITORIES] }),
  );
  if (described.repositories?.length !== KEPT_REPOSITORIES.length) problems.push("a kept repository is gone");
  for (const repositoryName of KEPT_REPOSITORIES) {
    const listed = await ecr.send(new ListImagesCommand({ repositoryName }));
    const expected = fixture.kept.filter((k) => k.repositoryName === repositoryName).length;
    if (listed.imageIds?.length !== expected) {
      problems.push(
        `${repositoryName} lists ${JSON.stringify(listed.imageIds)}, expected ${expected} images`,
      );
    }
  }
  for (const { repositoryName, tag, image, layers } of fixture.kept) {
    const got = await ecr.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: tag }] }));
    const found = got.images?.[0];
    if (found?.imageManifest !== image.manifest || found.imageId?.imageDigest !== image.digest) {
      problems.push(`BatchGetImage ${repositoryName}:${tag} is not the manifest pushed`);
    }
    const manifest = await fetch(`${berth.endpoint}/v2/${repositoryName}/manifests/${tag}`);
    if (Buffer.from(await manifest.arrayBuffer()).toString("utf8") !== image.manifest) {
      problems.push(`GET /v2/${repositoryName}/manifests/${tag} is not the manifest pushed`);
    }
    const blobs = [image.config, ...layers];
    for (const blob of blobs) {
      const digest = sha256(blob);
      const response = await fetch(`${berth.endpoint}/v2/${repositoryName}/blobs/${digest}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (response.status !== 200 || sha256(bytes) !== digest || bytes.length !== blob.length) {
        problems.push(`GET /v2/${repositoryName}/blobs/${digest}: ${response.status}, not the bytes pushed`);
      }
    }
  }
  return problems;
};
