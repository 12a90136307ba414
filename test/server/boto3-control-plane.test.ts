/**
 * boto3 against the control plane of issue 11: scanning, account settings, signing and referrers,
 * pull-time update exclusions. One Python process makes every call in order and prints what boto3
 * parsed; timestamps arrive as `datetime` objects (printed as `datetime:<ISO 8601>`), which proves
 * the wire format botocore reads. Each group has an error boto3 must see by its ECR code. boto3 on
 * this machine knows every one of these operations; the first test says so, so an older boto3
 * fails loudly here rather than in the middle of the script.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPython } from "../support/aws-clients.js";
import { TEST_REGISTRY_ID } from "../support/berth-server.js";
import {
  type ControlPlaneFixture,
  FINDINGS,
  NOTATION,
  PROFILE,
  ROLE,
  startControlPlaneFixture,
} from "./control-plane-fixture.js";

const OPERATIONS = [
  "PutImageScanningConfiguration",
  "PutRegistryScanningConfiguration",
  "GetRegistryScanningConfiguration",
  "BatchGetRepositoryScanningConfiguration",
  "StartImageScan",
  "DescribeImageScanFindings",
  "GetAccountSetting",
  "PutAccountSetting",
  "PutSigningConfiguration",
  "GetSigningConfiguration",
  "DeleteSigningConfiguration",
  "DescribeImageSigningStatus",
  "ListImageReferrers",
  "RegisterPullTimeUpdateExclusion",
  "DeregisterPullTimeUpdateExclusion",
  "ListPullTimeUpdateExclusions",
];

/** Calls each operation; a call that fails records {"error": Code, "message": Message} instead. */
const SCRIPT = `
import datetime, json, sys, boto3, botocore.config
endpoint, fixture = sys.argv[1], json.loads(sys.argv[2])
ecr = boto3.client("ecr", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id="test", aws_secret_access_key="test",
    config=botocore.config.Config(retries={"max_attempts": 1}))
out = {"botocore": __import__("botocore").__version__}
def call(key, operation, **params):
    try:
        answer = getattr(ecr, operation)(**params)
        answer.pop("ResponseMetadata", None)
        out[key] = answer
    except ecr.exceptions.ClientError as error:
        out[key] = {"error": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}
gate, manual, signed = ({"imageTag": "v1"},) * 3
rules = [{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "ruled/*", "filterType": "WILDCARD"}]}]
# Scanning
call("putImageScanning", "put_image_scanning_configuration", repositoryName="manual/app",
     imageScanningConfiguration={"scanOnPush": True})
call("putRegistryScanning", "put_registry_scanning_configuration", scanType="BASIC", rules=rules)
call("getRegistryScanning", "get_registry_scanning_configuration")
call("batchScanning", "batch_get_repository_scanning_configuration",
     repositoryNames=["manual/app", "no/such"])
call("findingsGate", "describe_image_scan_findings", repositoryName="gate/app", imageId=gate)
call("scanNotFound", "describe_image_scan_findings", repositoryName="manual/app", imageId=manual)
call("startScan", "start_image_scan", repositoryName="manual/app", imageId=manual)
# Account settings
call("getSetting", "get_account_setting", name="BLOB_MOUNTING")
call("putSetting", "put_account_setting", name="BLOB_MOUNTING", value="DISABLED")
call("getSettingAfter", "get_account_setting", name="BLOB_MOUNTING")
call("badSetting", "put_account_setting", name="BLOB_MOUNTING", value="SOMETIMES")
# Signing and referrers
signing = {"rules": [{"signingProfileArn": fixture["profile"],
    "repositoryFilters": [{"filter": "signed/*", "filterType": "WILDCARD_MATCH"}]}]}
call("signingNotFound", "get_signing_configuration")
call("putSigning", "put_signing_configuration", signingConfiguration=signing)
call("getSigning", "get_signing_configuration")
call("signingStatus", "describe_image_signing_status", repositoryName="signed/app", imageId=signed)
call("referrers", "list_image_referrers", repositoryName="signed/app",
     subjectId={"imageDigest": fixture["signedDigest"]}, filter={"artifactTypes": [fixture["notation"]]})
call("deleteSigning", "delete_signing_configuration")
# Pull-time update exclusions
call("register", "register_pull_time_update_exclusion", principalArn=fixture["role"])
call("listExclusions", "list_pull_time_update_exclusions")
call("deregister", "deregister_pull_time_update_exclusion", principalArn=fixture["role"])
call("exclusionNotFound", "deregister_pull_time_update_exclusion", principalArn=fixture["role"])
def plain(value):
    if isinstance(value, datetime.datetime):
        return "datetime:" + value.isoformat()
    raise TypeError(type(value))
print(json.dumps(out, default=plain))
`;

/** A `datetime:<ISO 8601>` boto3 parsed, within a minute of now. */
const recentDatetime = (value: unknown) => {
  expect(value).toMatch(/^datetime:\d{4}-\d\d-\d\dT/);
  expect(Math.abs(Date.parse(String(value).slice("datetime:".length)) - Date.now())).toBeLessThan(60_000);
};

describe("boto3 against the control plane (scanning, account settings, signing, exclusions)", () => {
  let fixture: ControlPlaneFixture;
  let out: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    fixture = await startControlPlaneFixture();
    const stdout = await runPython(SCRIPT, [
      fixture.berth.endpoint,
      JSON.stringify({
        profile: PROFILE,
        notation: NOTATION,
        role: ROLE,
        signedDigest: fixture.signedDigest,
      }),
    ]);
    out = JSON.parse(stdout) as typeof out;
  }, 60_000);
  afterAll(() => fixture?.stop());

  it("boto3 knows every operation under test", async () => {
    const known = JSON.parse(
      await runPython(
        `import boto3, json; print(json.dumps(boto3.client("ecr", region_name="us-east-1").meta.service_model.operation_names))`,
        [],
      ),
    ) as string[];
    expect(OPERATIONS.filter((operation) => !known.includes(operation))).toEqual([]);
  });

  it("scanning: configuration, effective settings, findings with datetimes, ScanNotFoundException", () => {
    const rules = [
      { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "ruled/*", filterType: "WILDCARD" }] },
    ];
    expect(out.putImageScanning).toEqual({
      registryId: TEST_REGISTRY_ID,
      repositoryName: "manual/app",
      imageScanningConfiguration: { scanOnPush: true },
    });
    expect(out.putRegistryScanning).toEqual({ registryScanningConfiguration: { scanType: "BASIC", rules } });
    expect(out.getRegistryScanning).toEqual({
      registryId: TEST_REGISTRY_ID,
      scanningConfiguration: { scanType: "BASIC", rules },
    });
    expect(out.batchScanning).toEqual({
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
    const findings = out.findingsGate as {
      imageScanFindings: { imageScanCompletedAt: unknown; vulnerabilitySourceUpdatedAt?: unknown };
    };
    expect(findings).toMatchObject({
      registryId: TEST_REGISTRY_ID,
      repositoryName: "gate/app",
      imageId: { imageDigest: fixture.gatedDigest, imageTag: "v1" },
      imageScanStatus: { status: "COMPLETE", description: "The scan was completed successfully." },
      imageScanFindings: { findings: FINDINGS, findingSeverityCounts: { CRITICAL: 1, HIGH: 1, LOW: 1 } },
    });
    recentDatetime(findings.imageScanFindings.imageScanCompletedAt);
    expect(out.scanNotFound).toEqual({
      error: "ScanNotFoundException",
      message: `Image scan does not exist for the image with '{imageDigest:'null', imageTag:'v1'}' in the repository with name 'manual/app' in the registry with id '${TEST_REGISTRY_ID}'`,
    });
    expect(out.startScan).toEqual({
      registryId: TEST_REGISTRY_ID,
      repositoryName: "manual/app",
      imageId: { imageDigest: fixture.manualDigest, imageTag: "v1" },
      imageScanStatus: expect.objectContaining({ status: "IN_PROGRESS" }),
    });
  });

  it("account settings: get, put, get again; a bad value is InvalidParameterException", () => {
    expect(out.getSetting).toEqual({ name: "BLOB_MOUNTING", value: "ENABLED" });
    expect(out.putSetting).toEqual({ name: "BLOB_MOUNTING", value: "DISABLED" });
    expect(out.getSettingAfter).toEqual({ name: "BLOB_MOUNTING", value: "DISABLED" });
    expect(out.badSetting).toMatchObject({ error: "InvalidParameterException" });
  });

  it("signing and referrers: SigningConfigurationNotFoundException, put/get/delete, status, referrers", () => {
    const signingConfiguration = {
      rules: [
        {
          signingProfileArn: PROFILE,
          repositoryFilters: [{ filter: "signed/*", filterType: "WILDCARD_MATCH" }],
        },
      ],
    };
    expect(out.signingNotFound).toMatchObject({ error: "SigningConfigurationNotFoundException" });
    expect(out.putSigning).toEqual({ signingConfiguration });
    expect(out.getSigning).toEqual({ registryId: TEST_REGISTRY_ID, signingConfiguration });
    expect(out.signingStatus).toMatchObject({
      registryId: TEST_REGISTRY_ID,
      repositoryName: "signed/app",
      imageId: { imageDigest: fixture.signedDigest, imageTag: "v1" },
      signingStatuses: [{ signingProfileArn: PROFILE, status: "COMPLETE" }],
    });
    expect(out.referrers).toEqual({
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
    expect(out.deleteSigning).toEqual({ registryId: TEST_REGISTRY_ID, signingConfiguration });
  });

  it("pull-time update exclusions: register (a datetime), list, deregister; twice is ExclusionNotFoundException", () => {
    const registered = out.register as { principalArn: string; createdAt: unknown };
    expect(registered.principalArn).toBe(ROLE);
    recentDatetime(registered.createdAt);
    expect(out.listExclusions).toEqual({ pullTimeUpdateExclusions: [ROLE] });
    expect(out.deregister).toMatchObject({ principalArn: ROLE });
    expect(out.exclusionNotFound).toMatchObject({ error: "ExclusionNotFoundException" });
  });
});
