/** Registry scenarios about repositories: create, describe, delete, and the name freed again. */
import { expect, it } from "vitest";
import { expectRefusal, expectRight } from "./registry-outcomes.js";
import { pushImageBlobs, uniqueRepositoryName } from "./registry-pushes.js";
import { type ScenarioContext, tag } from "./scenario-context.js";

/** Repositories: created, described and deleted (by force only while they hold images). */
export const describeRepositoryScenarios = ({ engine }: ScenarioContext): void => {
  it("creates, describes and deletes repositories", async () => {
    const registry = engine();
    const mutable = uniqueRepositoryName("mutable");
    const immutable = uniqueRepositoryName("immutable");
    const created = expectRight(await registry.createRepository({ repositoryName: mutable }));
    expect(created.repository).toMatchObject({ repositoryName: mutable, imageTagMutability: "MUTABLE" });
    expectRight(
      await registry.createRepository({ repositoryName: immutable, imageTagMutability: "IMMUTABLE" }),
    );
    expectRefusal(
      await registry.createRepository({ repositoryName: mutable }),
      "RepositoryAlreadyExistsException",
    );

    const described = expectRight(
      await registry.describeRepositories({ repositoryNames: [immutable, mutable] }),
    );
    expect(described.repositories.map((r) => [r.repositoryName, r.imageTagMutability])).toEqual([
      [immutable, "IMMUTABLE"],
      [mutable, "MUTABLE"],
    ]);
    const all = expectRight(await registry.describeRepositories({ maxResults: 1000 }));
    expect(all.repositories.map((r) => r.repositoryName)).toEqual(
      expect.arrayContaining([mutable, immutable]),
    );

    // A repository holding an image is only deleted with force.
    const { manifest } = await pushImageBlobs(registry, immutable);
    expectRight(
      await registry.putImage({
        repositoryName: immutable,
        imageManifest: manifest.manifest,
        imageTag: tag("v1"),
      }),
    );
    expectRefusal(
      await registry.deleteRepository({ repositoryName: immutable }),
      "RepositoryNotEmptyException",
    );
    const deleted = expectRight(await registry.deleteRepository({ repositoryName: immutable, force: true }));
    expect(deleted.repository).toMatchObject({
      repositoryName: immutable,
      imageTagMutability: "IMMUTABLE",
    });
    expectRight(await registry.deleteRepository({ repositoryName: mutable }));

    expectRefusal(
      await registry.describeRepositories({ repositoryNames: [mutable] }),
      "RepositoryNotFoundException",
    );
    expectRefusal(await registry.listImages({ repositoryName: immutable }), "RepositoryNotFoundException");
    expectRefusal(
      await registry.deleteRepository({ repositoryName: mutable }),
      "RepositoryNotFoundException",
    );
    // The name is free again, and the new repository starts empty.
    expectRight(await registry.createRepository({ repositoryName: immutable }));
    expect(expectRight(await registry.listImages({ repositoryName: immutable })).imageIds).toEqual([]);
  });
};
