/**
 * Pull-through cache rules (issue 12, item 4): creating, updating, describing and deleting them, and
 * which rule (and upstream name) a pull of a cache repository uses.
 */
import {
  type BerthCommand,
  decide,
  describePullThroughCacheRules,
  fold,
  isUpstreamCheckDue,
  pullThroughCacheRepositoryCommand,
  pullThroughSourceOf,
  type RegistryState,
  RepositoryName,
  type Timestamp,
  upstreamBaseUrl,
  upstreamRegistryOf,
} from "@berth/core";
import { branded, EXAMPLE_TIME } from "@berth/testkit";
import { fc, test } from "@fast-check/vitest";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { given, registryId } from "./example-registry.js";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/hub-abc";
const create = (
  ecrRepositoryPrefix: string,
  upstreamRegistryUrl: string,
  more: { upstreamRepositoryPrefix?: string; credentialArn?: string; credentialKnown?: boolean } = {},
): BerthCommand => ({
  type: "CreatePullThroughCacheRule",
  data: {
    registryId,
    ecrRepositoryPrefix,
    upstreamRegistryUrl,
    createdAt: EXAMPLE_TIME,
    credentialKnown: more.credentialKnown ?? true,
    ...(more.upstreamRepositoryPrefix === undefined
      ? {}
      : { upstreamRepositoryPrefix: more.upstreamRepositoryPrefix }),
    ...(more.credentialArn === undefined ? {} : { credentialArn: more.credentialArn }),
  },
});
const stateAfter = (...commands: BerthCommand[]): RegistryState => fold(given(commands));
const refusal = (state: RegistryState, command: BerthCommand) => {
  const decided = decide(state, command);
  return E.isLeft(decided) ? decided.left._tag : "accepted";
};
const repo = (name: string) => branded(RepositoryName, name);

describe("pull-through cache rules", () => {
  it("are created once per prefix (a trailing slash is the same prefix), then described and deleted", () => {
    const state = stateAfter(create("hub/", "http://127.0.0.1:5000"));
    expect(refusal(state, create("hub", "http://127.0.0.1:5001"))).toBe(
      "PullThroughCacheRuleAlreadyExistsException",
    );
    const described = describePullThroughCacheRules(state, { registryId });
    expect(described).toEqual(
      E.right({
        pullThroughCacheRules: [
          {
            registryId,
            ecrRepositoryPrefix: "hub",
            upstreamRegistryUrl: "http://127.0.0.1:5000",
            upstreamRepositoryPrefix: "ROOT",
            createdAt: EXAMPLE_TIME,
            updatedAt: EXAMPLE_TIME,
          },
        ],
      }),
    );
    expect(
      E.isLeft(describePullThroughCacheRules(state, { registryId, ecrRepositoryPrefixes: ["quay"] })),
    ).toBe(true);
    const deleted = {
      type: "DeletePullThroughCacheRule",
      data: { registryId, ecrRepositoryPrefix: "hub" },
    } as const;
    expect(
      describePullThroughCacheRules(stateAfter(create("hub", "http://h"), deleted), { registryId }),
    ).toEqual(E.right({ pullThroughCacheRules: [] }));
    expect(refusal(state, { ...deleted, data: { registryId, ecrRepositoryPrefix: "quay" } })).toBe(
      "PullThroughCacheRuleNotFoundException",
    );
  });

  it("refuse an upstream that is no registry URL, and credentials Berth was not given", () => {
    expect(refusal(stateAfter(), create("hub", "ftp://example.com"))).toBe(
      "UnsupportedUpstreamRegistryException",
    );
    expect(
      refusal(
        stateAfter(),
        create("hub", "registry-1.docker.io", { credentialArn: SECRET, credentialKnown: false }),
      ),
    ).toBe("SecretNotFoundException");
    expect(refusal(stateAfter(), create("hub", "registry-1.docker.io", { credentialArn: SECRET }))).toBe(
      "accepted",
    );
    const update: BerthCommand = {
      type: "UpdatePullThroughCacheRule",
      data: {
        registryId,
        ecrRepositoryPrefix: "hub",
        credentialArn: SECRET,
        updatedAt: (EXAMPLE_TIME + 1) as Timestamp,
        credentialKnown: true,
      },
    };
    expect(refusal(stateAfter(), update)).toBe("PullThroughCacheRuleNotFoundException");
    const updated = stateAfter(create("hub", "registry-1.docker.io"), update);
    expect(describePullThroughCacheRules(updated, { registryId })).toMatchObject(
      E.right({ pullThroughCacheRules: [{ credentialArn: SECRET, updatedAt: EXAMPLE_TIME + 1 }] }),
    );
  });

  it("take a bare host over https (a loopback one over http) and an http(s) URL as given", () => {
    expect(upstreamBaseUrl("registry-1.docker.io")).toBe("https://registry-1.docker.io");
    expect(upstreamBaseUrl("http://127.0.0.1:5000/")).toBe("http://127.0.0.1:5000");
    expect(upstreamBaseUrl("localhost:5001")).toBe("http://localhost:5001");
    expect(upstreamBaseUrl("127.0.0.1:5001")).toBe("http://127.0.0.1:5001");
    expect(upstreamBaseUrl("localhost.example.com")).toBe("https://localhost.example.com");
    expect(upstreamBaseUrl("not a url")).toBeUndefined();
  });

  it("answer the kind of a well-known upstream when the caller names none, as ECR does", () => {
    expect(upstreamRegistryOf("registry-1.docker.io")).toBe("docker-hub");
    expect(upstreamRegistryOf("public.ecr.aws")).toBe("ecr-public");
    expect(upstreamRegistryOf("https://myregistry.azurecr.io")).toBe("azure-container-registry");
    expect(upstreamRegistryOf("123456789012.dkr.ecr.eu-west-1.amazonaws.com")).toBe("ecr");
    expect(upstreamRegistryOf("localhost:5001")).toBeUndefined();
    const state = stateAfter(create("hub", "registry-1.docker.io"));
    expect(describePullThroughCacheRules(state, { registryId })).toMatchObject(
      E.right({ pullThroughCacheRules: [{ upstreamRegistry: "docker-hub" }] }),
    );
  });

  it("cover a repository by the longest prefix, ROOT last, mapping the rest under the upstream prefix", () => {
    const state = stateAfter(
      create("ROOT", "http://root"),
      create("hub", "http://hub"),
      create("hub/team", "http://team", { upstreamRepositoryPrefix: "mirror" }),
    );
    expect(pullThroughSourceOf(state, registryId, repo("hub/library/app"))).toMatchObject({
      upstreamUrl: "http://hub",
      upstreamRepository: "library/app",
    });
    expect(pullThroughSourceOf(state, registryId, repo("hub/team/app"))).toMatchObject({
      upstreamUrl: "http://team",
      upstreamRepository: "mirror/app",
    });
    expect(pullThroughSourceOf(state, registryId, repo("hubble/app"))).toMatchObject({
      upstreamUrl: "http://root",
      upstreamRepository: "hubble/app",
    });
    expect(
      pullThroughSourceOf(stateAfter(create("hub", "http://hub")), registryId, repo("app")),
    ).toBeUndefined();
  });

  test.prop([
    fc.stringMatching(/^[a-z0-9]{2,8}$/),
    fc.stringMatching(/^[a-z0-9]{2,8}(\/[a-z0-9]{2,8}){0,2}$/),
  ])("a rule's repositories map to their upstream names and back", (prefix, rest) => {
    const state = stateAfter(create(prefix, "http://upstream", { upstreamRepositoryPrefix: "mirror" }));
    expect(pullThroughSourceOf(state, registryId, repo(`${prefix}/${rest}`))?.upstreamRepository).toBe(
      `mirror/${rest}`,
    );
    expect(pullThroughSourceOf(state, registryId, repo(`${prefix}x/${rest}`))).toBeUndefined();
  });

  it("create a cache repository from the PULL_THROUGH_CACHE template covering it, else with ECR's defaults", () => {
    const template: BerthCommand = {
      type: "CreateRepositoryCreationTemplate",
      data: {
        registryId,
        prefix: "hub",
        appliedFor: ["PULL_THROUGH_CACHE"],
        imageTagMutability: "IMMUTABLE",
        resourceTags: [{ Key: "cache", Value: "hub" }],
        createdAt: EXAMPLE_TIME,
      },
    };
    const state = stateAfter(template);
    const shaped = fold(
      given([template, pullThroughCacheRepositoryCommand(registryId, repo("hub/library/app"), EXAMPLE_TIME)]),
    );
    const cached = shaped.repositories.get(`${registryId}/hub/library/app`);
    expect(cached?.imageTagMutability).toBe("IMMUTABLE");
    expect([...(cached?.resourceTags ?? [])]).toEqual([["cache", "hub"]]);
    const plain = fold(
      given([template, pullThroughCacheRepositoryCommand(registryId, repo("quay/app"), EXAMPLE_TIME)]),
    );
    expect(plain.repositories.get(`${registryId}/quay/app`)?.imageTagMutability).toBe("MUTABLE");
    expect(
      refusal(state, pullThroughCacheRepositoryCommand(registryId, repo("other/app"), EXAMPLE_TIME)),
    ).toBe("accepted");
  });

  it("check a cached tag upstream again once the refresh interval has passed", () => {
    const at = (ms: number) => ms as Timestamp;
    expect(isUpstreamCheckDue(at(0), at(999), 1000)).toBe(false);
    expect(isUpstreamCheckDue(at(0), at(1000), 1000)).toBe(true);
  });
});
