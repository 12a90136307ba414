/**
 * Pull-time update exclusions take effect: a pull by an excluded principal leaves
 * lastRecordedPullTime alone, a pull by anyone else records it. Principals come from the access
 * keys (`--credentials AKID:SECRET:ACCOUNT:PRINCIPAL_ARN`; without one, the account's root).
 */
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  type ECRClient,
  RegisterPullTimeUpdateExclusionCommand,
} from "@aws-sdk/client-ecr";
import type { RegistryId } from "@berth/core";
import { parseCredentials } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";
import { pushImage } from "./ecr-helpers.js";

const CI_ROLE = `arn:aws:iam::${TEST_REGISTRY_ID}:role/ci`;
const repositoryName = "team/app";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("pull-time update exclusions, with credentials", () => {
  let berth: RunningBerth;
  let ci: ECRClient;
  let dev: ECRClient;
  beforeAll(async () => {
    berth = await startBerth({
      storage: "memory",
      credentials: `AKIDCI:ci-secret:${TEST_REGISTRY_ID}:${CI_ROLE},AKIDDEV:dev-secret`,
    });
    ci = berth.client({ credentials: { accessKeyId: "AKIDCI", secretAccessKey: "ci-secret" } });
    dev = berth.client({ credentials: { accessKeyId: "AKIDDEV", secretAccessKey: "dev-secret" } });
  });
  afterAll(() => berth?.stop());

  const lastPull = async () =>
    (await dev.send(new DescribeImagesCommand({ repositoryName }))).imageDetails?.[0]?.lastRecordedPullTime;

  it("an excluded principal's pulls record nothing; another principal's pull is recorded", async () => {
    await dev.send(new CreateRepositoryCommand({ repositoryName }));
    await pushImage(dev, repositoryName, { tag: "v1" });
    await dev.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: CI_ROLE }));

    await ci.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: "v1" }] }));
    await sleep(1000); // a record, if one were due, is written within a quarter second
    expect(await lastPull()).toBeUndefined();

    await dev.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag: "v1" }] }));
    let recorded = await lastPull();
    for (let tries = 0; recorded === undefined && tries < 50; tries++) {
      await sleep(100);
      recorded = await lastPull();
    }
    expect(recorded).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - recorded!.getTime())).toBeLessThan(60_000);
  }, 30_000);
});

describe("--credentials principals", () => {
  const account = TEST_REGISTRY_ID as RegistryId;
  it("takes the rest of an entry after the account as the principal ARN (ARNs hold colons)", () => {
    const keys = parseCredentials(`A:s:${account}:${CI_ROLE},B:t`, account);
    expect(keys.get("A")?.principalArn).toBe(CI_ROLE);
    expect(keys.get("B")?.principalArn).toBe(`arn:aws:iam::${account}:root`);
  });
  it("refuses a principal that is no IAM or STS ARN", () => {
    expect(() => parseCredentials(`A:s:${account}:role/ci`, account)).toThrow(/Invalid principal 'role\/ci'/);
  });
});
