/**
 * The `aws` CLI against the control plane of issue 11: scanning, account settings, signing and
 * referrers, pull-time update exclusions. For each operation, one call with valid input and the
 * JSON the CLI printed from what botocore parsed; one error per group, seen by its ECR code. The
 * CLI starts slowly (about a second a call), so the four groups run side by side, 20 calls in all.
 * The installed CLI lists every one of these commands; the first test says so, so an older CLI
 * fails loudly by name rather than with "Invalid choice" in the middle of a group.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEcr, awsEcrCommands, type CliResult, ok } from "../support/aws-clients.js";
import { TEST_REGISTRY_ID } from "../support/berth-server.js";
import {
  type ControlPlaneFixture,
  FINDINGS,
  NOTATION,
  PROFILE,
  ROLE,
  startControlPlaneFixture,
} from "./control-plane-fixture.js";

const COMMANDS = [
  "put-image-scanning-configuration",
  "put-registry-scanning-configuration",
  "get-registry-scanning-configuration",
  "batch-get-repository-scanning-configuration",
  "start-image-scan",
  "describe-image-scan-findings",
  "get-account-setting",
  "put-account-setting",
  "put-signing-configuration",
  "get-signing-configuration",
  "delete-signing-configuration",
  "describe-image-signing-status",
  "list-image-referrers",
  "register-pull-time-update-exclusion",
  "deregister-pull-time-update-exclusion",
  "list-pull-time-update-exclusions",
];

const RULES = [
  { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "ruled/*", filterType: "WILDCARD" }] },
];
const SIGNING = {
  rules: [
    { signingProfileArn: PROFILE, repositoryFilters: [{ filter: "signed/*", filterType: "WILDCARD_MATCH" }] },
  ],
};

/** A command that must fail: the CLI exits non-zero and names the ECR error code. */
const failedWith = (result: CliResult, code: string) => {
  expect(result.code, result.stdout).not.toBe(0);
  expect(result.stderr).toContain(`(${code})`);
};

/** A timestamp the CLI printed (v1: the wire's epoch seconds; v2: ISO 8601), within a minute of now. */
const recent = (value: unknown) => {
  const ms = typeof value === "number" ? value * 1000 : Date.parse(String(value));
  expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
};

describe("the aws CLI against the control plane (scanning, account settings, signing, exclusions)", () => {
  let fixture: ControlPlaneFixture;
  let scanning: CliResult[];
  let settings: CliResult[];
  let signing: CliResult[];
  let exclusions: CliResult[];

  beforeAll(async () => {
    fixture = await startControlPlaneFixture();
    const cli = (args: ReadonlyArray<string>) => awsEcr(fixture.berth.endpoint, args);
    /** Runs the commands of one group in order. */
    const inOrder = async (commands: ReadonlyArray<ReadonlyArray<string>>) => {
      const results: CliResult[] = [];
      for (const command of commands) results.push(await cli(command));
      return results;
    };
    [scanning, settings, signing, exclusions] = await Promise.all([
      inOrder([
        [
          "put-image-scanning-configuration",
          "--repository-name",
          "manual/app",
          "--image-scanning-configuration",
          "scanOnPush=true",
        ],
        ["put-registry-scanning-configuration", "--scan-type", "BASIC", "--rules", JSON.stringify(RULES)],
        ["get-registry-scanning-configuration"],
        ["batch-get-repository-scanning-configuration", "--repository-names", "manual/app", "no/such"],
        ["describe-image-scan-findings", "--repository-name", "gate/app", "--image-id", "imageTag=v1"],
        ["describe-image-scan-findings", "--repository-name", "manual/app", "--image-id", "imageTag=v1"],
        ["start-image-scan", "--repository-name", "manual/app", "--image-id", "imageTag=v1"],
      ]),
      inOrder([
        ["get-account-setting", "--name", "BASIC_SCAN_TYPE_VERSION"],
        ["put-account-setting", "--name", "BLOB_MOUNTING", "--value", "DISABLED"],
        ["put-account-setting", "--name", "BLOB_MOUNTING", "--value", "SOMETIMES"],
      ]),
      inOrder([
        ["put-signing-configuration", "--signing-configuration", JSON.stringify(SIGNING)],
        ["get-signing-configuration"],
        ["describe-image-signing-status", "--repository-name", "signed/app", "--image-id", "imageTag=v1"],
        [
          "list-image-referrers",
          "--repository-name",
          "signed/app",
          "--subject-id",
          `imageDigest=${fixture.signedDigest}`,
          "--filter",
          JSON.stringify({ artifactTypes: [NOTATION] }),
        ],
        ["delete-signing-configuration"],
        ["get-signing-configuration"],
      ]),
      inOrder([
        ["register-pull-time-update-exclusion", "--principal-arn", ROLE],
        ["list-pull-time-update-exclusions"],
        ["deregister-pull-time-update-exclusion", "--principal-arn", ROLE],
        ["deregister-pull-time-update-exclusion", "--principal-arn", ROLE],
      ]),
    ]);
  }, 120_000);
  afterAll(() => fixture?.stop());

  it("the installed CLI lists every command under test", async () => {
    const known = await awsEcrCommands();
    expect(known).toContain("describe-repositories");
    expect(COMMANDS.filter((command) => !known.includes(command))).toEqual([]);
  });

  it("scanning: configuration, effective settings, findings, ScanNotFoundException, a started scan", () => {
    const [putImage, putRegistry, getRegistry, batch, findings, notFound, started] = scanning;
    expect(ok(putImage!)).toEqual({
      registryId: TEST_REGISTRY_ID,
      repositoryName: "manual/app",
      imageScanningConfiguration: { scanOnPush: true },
    });
    expect(ok(putRegistry!)).toEqual({ registryScanningConfiguration: { scanType: "BASIC", rules: RULES } });
    expect(ok(getRegistry!)).toEqual({
      registryId: TEST_REGISTRY_ID,
      scanningConfiguration: { scanType: "BASIC", rules: RULES },
    });
    expect(ok(batch!)).toEqual({
      scanningConfigurations: [
        {
          repositoryArn: `arn:aws:ecr:us-east-1:${TEST_REGISTRY_ID}:repository/manual/app`,
          repositoryName: "manual/app",
          scanOnPush: true,
          scanFrequency: "SCAN_ON_PUSH",
          appliedScanFilters: [],
        },
      ],
      failures: [expect.objectContaining({ repositoryName: "no/such", failureCode: "REPOSITORY_NOT_FOUND" })],
    });
    const described = ok(findings!) as { imageScanFindings: { imageScanCompletedAt: unknown } };
    expect(described).toMatchObject({
      registryId: TEST_REGISTRY_ID,
      repositoryName: "gate/app",
      imageId: { imageDigest: fixture.gatedDigest, imageTag: "v1" },
      imageScanStatus: { status: "COMPLETE", description: "The scan was completed successfully." },
      imageScanFindings: { findings: FINDINGS, findingSeverityCounts: { CRITICAL: 1, HIGH: 1, LOW: 1 } },
    });
    recent(described.imageScanFindings.imageScanCompletedAt);
    failedWith(notFound!, "ScanNotFoundException");
    expect(notFound!.stderr).toContain(
      `Image scan does not exist for the image with '{imageDigest:'null', imageTag:'v1'}' in the repository with name 'manual/app' in the registry with id '${TEST_REGISTRY_ID}'`,
    );
    expect(ok(started!)).toEqual({
      registryId: TEST_REGISTRY_ID,
      repositoryName: "manual/app",
      imageId: { imageDigest: fixture.manualDigest, imageTag: "v1" },
      imageScanStatus: expect.objectContaining({ status: "IN_PROGRESS" }),
    });
  });

  it("account settings: get, put; a bad value is InvalidParameterException", () => {
    const [got, put, bad] = settings;
    expect(ok(got!)).toEqual({ name: "BASIC_SCAN_TYPE_VERSION", value: "AWS_NATIVE" });
    expect(ok(put!)).toEqual({ name: "BLOB_MOUNTING", value: "DISABLED" });
    failedWith(bad!, "InvalidParameterException");
  });

  it("signing and referrers: put/get/delete, status, referrers; then SigningConfigurationNotFoundException", () => {
    const [put, got, status, referrers, deleted, gone] = signing;
    expect(ok(put!)).toEqual({ signingConfiguration: SIGNING });
    expect(ok(got!)).toEqual({ registryId: TEST_REGISTRY_ID, signingConfiguration: SIGNING });
    expect(ok(status!)).toMatchObject({
      registryId: TEST_REGISTRY_ID,
      repositoryName: "signed/app",
      imageId: { imageDigest: fixture.signedDigest, imageTag: "v1" },
      signingStatuses: [{ signingProfileArn: PROFILE, status: "COMPLETE" }],
    });
    expect(ok(referrers!)).toEqual({
      referrers: [
        {
          digest: fixture.signature.digest,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          artifactType: NOTATION,
          size: fixture.signature.size,
          artifactStatus: "ACTIVE",
        },
      ],
    });
    expect(ok(deleted!)).toEqual({ registryId: TEST_REGISTRY_ID, signingConfiguration: SIGNING });
    failedWith(gone!, "SigningConfigurationNotFoundException");
  });

  it("pull-time update exclusions: register, list, deregister; twice is ExclusionNotFoundException", () => {
    const [registered, listed, deregistered, again] = exclusions;
    const answer = ok(registered!) as { principalArn: string; createdAt: unknown };
    expect(answer.principalArn).toBe(ROLE);
    recent(answer.createdAt);
    expect(ok(listed!)).toEqual({ pullTimeUpdateExclusions: [ROLE] });
    expect(ok(deregistered!)).toMatchObject({ principalArn: ROLE });
    failedWith(again!, "ExclusionNotFoundException");
  });
});
