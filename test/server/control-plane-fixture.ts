/**
 * The registry the aws CLI and boto3 control-plane suites call into: one Berth with findings from a
 * file, an image scanned on push (COMPLETE, 3 findings), one never scanned, and one signed by a
 * notation signature pushed as its referrer. Built through the JS SDK so each suite's client
 * invocations are spent on the operations under test.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateRepositoryCommand,
  DescribeImageScanFindingsCommand,
  type ECRClient,
  PutImageCommand,
} from "@aws-sdk/client-ecr";
import { type RunningBerth, startBerth, TEST_REGISTRY_ID } from "../support/berth-server.js";
import { configBlob, imageManifest, OCI_MANIFEST, pushImage, sha256, uploadBlob } from "./ecr-helpers.js";

export const PROFILE = `arn:aws:signer:us-east-1:${TEST_REGISTRY_ID}:/signing-profiles/release`;
export const NOTATION = "application/vnd.cncf.notary.signature";
export const ROLE = `arn:aws:iam::${TEST_REGISTRY_ID}:role/ci`;

const GATED_NOTE = "control-plane-gate";
const gated = imageManifest(configBlob(GATED_NOTE), [], GATED_NOTE);
export const FINDINGS = [
  { name: "CVE-2024-0001", severity: "CRITICAL", uri: "https://cve.example/CVE-2024-0001" },
  { name: "CVE-2024-0002", severity: "HIGH", uri: "https://cve.example/CVE-2024-0002" },
  { name: "CVE-2024-0003", severity: "LOW", uri: "https://cve.example/CVE-2024-0003" },
].map((finding) => ({ ...finding, description: finding.name, attributes: [] }));

export interface ControlPlaneFixture {
  readonly berth: RunningBerth;
  /** gate/app:v1, scanned on push with FINDINGS; manual/app:v1, never scanned; signed/app:v1. */
  readonly gatedDigest: string;
  readonly manualDigest: string;
  readonly signedDigest: string;
  /** The notation signature manifest whose subject is signed/app:v1. */
  readonly signature: { readonly digest: string; readonly size: number };
  readonly stop: () => Promise<void>;
}

/** Polls until gate/app:v1's scan on push is no longer IN_PROGRESS (bounded: 20 s). */
const scanFinished = async (client: ECRClient) => {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answer = await client.send(
      new DescribeImageScanFindingsCommand({ repositoryName: "gate/app", imageId: { imageTag: "v1" } }),
    );
    if (answer.imageScanStatus?.status === "COMPLETE") return;
    if (answer.imageScanStatus?.status !== "IN_PROGRESS" || Date.now() > deadline)
      throw new Error(`the scan on push did not complete: ${JSON.stringify(answer.imageScanStatus)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** What `notation sign` pushes: an artifact manifest whose subject is the image. */
const pushSignature = async (client: ECRClient, subject: { digest: string; size: number }) => {
  const empty = new TextEncoder().encode("{}");
  const envelope = new TextEncoder().encode("signature envelope");
  await uploadBlob(client, "signed/app", empty);
  await uploadBlob(client, "signed/app", envelope);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: NOTATION,
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256(empty), size: empty.length },
    layers: [{ mediaType: "application/jose+json", digest: sha256(envelope), size: envelope.length }],
    subject: { mediaType: OCI_MANIFEST, ...subject },
  });
  await client.send(new PutImageCommand({ repositoryName: "signed/app", imageManifest: manifest }));
  return { digest: sha256(manifest), size: manifest.length };
};

export const startControlPlaneFixture = async (): Promise<ControlPlaneFixture> => {
  const directory = await mkdtemp(join(tmpdir(), "berth-control-plane-"));
  const findingsFile = join(directory, "findings.json");
  await writeFile(findingsFile, JSON.stringify({ [gated.digest]: FINDINGS }));
  const berth = await startBerth({ storage: "memory", scanFindings: findingsFile });
  const client = berth.client();
  await client.send(
    new CreateRepositoryCommand({
      repositoryName: "gate/app",
      imageScanningConfiguration: { scanOnPush: true },
    }),
  );
  await client.send(new CreateRepositoryCommand({ repositoryName: "manual/app" }));
  await client.send(new CreateRepositoryCommand({ repositoryName: "signed/app" }));
  await pushImage(client, "gate/app", { tag: "v1", note: GATED_NOTE });
  const manual = await pushImage(client, "manual/app", { tag: "v1", note: "manual" });
  const signed = await pushImage(client, "signed/app", { tag: "v1", note: "signed" });
  const signature = await pushSignature(client, { digest: signed.digest, size: signed.manifest.length });
  await scanFinished(client);
  return {
    berth,
    gatedDigest: gated.digest,
    manualDigest: manual.digest,
    signedDigest: signed.digest,
    signature,
    stop: async () => {
      await berth.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
};
