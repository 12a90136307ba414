/**
 * SigV4 as strict as AWS: the credential scope names the service `ecr` and an AWS-shaped region,
 * and its date is the request's; `host`, and `x-amz-target` when sent, are signed (else a captured
 * request could be replayed as another operation or against another host). The real clients —
 * the JS SDK, boto3 — still pass, and each scope fault is answered as AWS answers it.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
} from "@aws-sdk/client-ecr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import { expectEcrError, pushImage } from "./ecr-helpers.js";
import { CONTENT_TYPE, ecrCall, type RawAnswer, signRequest, TARGET_PREFIX } from "./raw-ecr.js";

const ACCOUNT = "111111111111";
const key = { accessKeyId: "AKIDSTRICT", secretAccessKey: "strict-secret" };
const repositoryName = "strict/app";

/** A fetch Response read as a RawAnswer (JSON body). */
const answerOf = async (response: Response): Promise<RawAnswer> => {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: JSON.parse(text) as Record<string, unknown>,
  };
};

const refusedWith = (answer: RawAnswer, message: RegExp) => {
  expect({ status: answer.status, type: answer.headers.get("x-amzn-errortype") }).toEqual({
    status: 403,
    type: "InvalidSignatureException",
  });
  expect(String(answer.json?.message)).toMatch(message);
};

describe("SigV4 strictness (credentials configured, region us-east-1)", () => {
  let berth: RunningBerth;
  let host: string;
  beforeAll(async () => {
    berth = await startBerth({
      storage: "memory",
      credentials: `${key.accessKeyId}:${key.secretAccessKey}:${ACCOUNT}`,
    });
    host = new URL(berth.endpoint).host;
    await berth.client({ credentials: key }).send(new CreateRepositoryCommand({ repositoryName }));
    await pushImage(berth.client({ credentials: key }), repositoryName, { tag: "v1" });
  });
  afterAll(async () => {
    await berth?.stop();
  });

  const imageTags = async () =>
    (
      await berth.client({ credentials: key }).send(new DescribeImagesCommand({ repositoryName }))
    ).imageDetails?.flatMap((detail) => detail.imageTags ?? []);

  it("refuses a captured BatchGetImage replayed as BatchDeleteImage: X-Amz-Target must be signed", async () => {
    const body = JSON.stringify({ repositoryName, imageIds: [{ imageTag: "v1" }] });
    // A signer that leaves X-Amz-Target out of SignedHeaders: its signature covers the body only.
    const captured = signRequest({
      host,
      headers: { "content-type": CONTENT_TYPE, "x-amz-target": `${TARGET_PREFIX}BatchGetImage` },
      body,
      key,
      leaveUnsigned: ["x-amz-target"],
    });
    const replayed = await fetch(`${berth.endpoint}/`, {
      method: "POST",
      headers: { ...captured, "x-amz-target": `${TARGET_PREFIX}BatchDeleteImage` },
      body,
    });
    const answer = await answerOf(replayed);
    refusedWith(answer, /'X-Amz-Target' must be a 'SignedHeader'/);
    expect(await imageTags()).toEqual(["v1"]);

    // Signed as it should be, the operation is bound to the signature: a replay as another fails.
    const bound = signRequest({
      host,
      headers: { "content-type": CONTENT_TYPE, "x-amz-target": `${TARGET_PREFIX}BatchGetImage` },
      body,
      key,
    });
    const get = await fetch(`${berth.endpoint}/`, { method: "POST", headers: bound, body });
    expect(get.status).toBe(200);
    await get.arrayBuffer();
    const swapped = await fetch(`${berth.endpoint}/`, {
      method: "POST",
      headers: { ...bound, "x-amz-target": `${TARGET_PREFIX}BatchDeleteImage` },
      body,
    });
    expect(swapped.status).toBe(403);
    expect(swapped.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
    await swapped.arrayBuffer();
    expect(await imageTags()).toEqual(["v1"]);
  });

  it("refuses a signature that leaves Host out of SignedHeaders", async () => {
    const body = "{}";
    const headers = signRequest({
      host,
      headers: { "content-type": CONTENT_TYPE, "x-amz-target": `${TARGET_PREFIX}DescribeRepositories` },
      body,
      key,
      leaveUnsigned: ["host"],
    });
    const response = await fetch(`${berth.endpoint}/`, { method: "POST", headers, body });
    const answer = await answerOf(response);
    refusedWith(answer, /'Host' or ':authority' must be a 'SignedHeader'/);
  });

  it("refuses a credential scoped to another service or another region, as AWS does", async () => {
    const target = `${TARGET_PREFIX}DescribeRepositories`;
    const signedFor = (scope: { region?: string; service?: string }) => {
      const headers = signRequest({
        host,
        headers: { "content-type": CONTENT_TYPE, "x-amz-target": target },
        body: "{}",
        key,
        ...scope,
      });
      return fetch(`${berth.endpoint}/`, { method: "POST", headers, body: "{}" }).then(answerOf);
    };
    // Each of these is a valid signature for its scope: only the scope is wrong.
    refusedWith(
      await signedFor({ service: "s3" }),
      /^Credential should be scoped to correct service: 'ecr'\.$/,
    );
    refusedWith(
      await signedFor({ region: "nowhere" }),
      /^Credential should be scoped to a valid region, not 'nowhere'\.$/,
    );
    refusedWith(
      await signedFor({ region: "nowhere", service: "ecr-public" }),
      /valid region, not 'nowhere'\. Credential should be scoped to correct service: 'ecr'\./,
    );
    const answer = await ecrCall(berth.endpoint, { target, key });
    expect(answer.status).toBe(200);
  });

  it("refuses a credential scope whose date is not the day of X-Amz-Date", async () => {
    const headers = signRequest({
      host,
      headers: { "content-type": CONTENT_TYPE, "x-amz-target": `${TARGET_PREFIX}DescribeRepositories` },
      body: "{}",
      key,
    });
    const day = /Credential=[^/]+\/(\d{8})\//.exec(headers.authorization!)![1]!;
    const otherDay = day.endsWith("01") ? `${day.slice(0, 6)}02` : `${day.slice(0, 6)}01`;
    const response = await fetch(`${berth.endpoint}/`, {
      method: "POST",
      headers: { ...headers, authorization: headers.authorization!.replace(`/${day}/`, `/${otherDay}/`) },
      body: "{}",
    });
    refusedWith(
      await answerOf(response),
      new RegExp(
        `^Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${otherDay}' != '${day}'`,
      ),
    );
  });

  it("still accepts the JS SDK (it signs every header, x-amz-content-sha256 included)", async () => {
    const described = await berth.client({ credentials: key }).send(new DescribeRepositoriesCommand({}));
    expect(described.repositories?.map((r) => r.repositoryName)).toContain(repositoryName);
    await expectEcrError(
      berth.client({ credentials: key, region: "nowhere" }).send(new DescribeRepositoriesCommand({})),
      "InvalidSignatureException",
      403,
    );
  });

  it("still accepts boto3, and answers its wrong region in the shape botocore reads", async () => {
    const script = `
import json, sys, boto3, botocore.config
def client(region):
    return boto3.client("ecr", endpoint_url=sys.argv[1], region_name=region,
        aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3],
        config=botocore.config.Config(retries={"max_attempts": 1}))
out = {"repositories": [r["repositoryName"] for r in client("us-east-1").describe_repositories()["repositories"]]}
try:
    client("nowhere").describe_repositories()
except client("us-east-1").exceptions.ClientError as error:
    out["error"] = error.response["Error"]
print(json.dumps(out))
`;
    const { stdout } = await promisify(execFile)(
      "python3",
      ["-c", script, berth.endpoint, key.accessKeyId, key.secretAccessKey],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_CONFIG_FILE: "/nonexistent/aws-config",
          AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
        },
        timeout: 30_000,
      },
    );
    const out = JSON.parse(stdout) as { repositories: string[]; error: { Code: string; Message: string } };
    expect(out.repositories).toContain(repositoryName);
    expect(out.error).toMatchObject({
      Code: "InvalidSignatureException",
      Message: "Credential should be scoped to a valid region, not 'nowhere'.",
    });
  });
});

describe("SigV4 strictness in local mode (no credentials: signatures unverified, scope still checked)", () => {
  let berth: RunningBerth;
  beforeAll(async () => {
    berth = await startBerth({ storage: "memory", region: "eu-central-1" });
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("wants an AWS-shaped region, and host and x-amz-target signed", async () => {
    const target = `${TARGET_PREFIX}DescribeRepositories`;
    expect(
      (await berth.client({ region: "eu-central-1" }).send(new DescribeRepositoriesCommand({}))).repositories,
    ).toEqual([]);
    await expectEcrError(
      berth.client({ region: "nowhere" }).send(new DescribeRepositoriesCommand({})),
      "InvalidSignatureException",
      403,
    );
    const host = new URL(berth.endpoint).host;
    const unsignedTarget = signRequest({
      host,
      headers: { "content-type": CONTENT_TYPE, "x-amz-target": target },
      body: "{}",
      key: { accessKeyId: "any", secretAccessKey: "any" },
      region: "eu-central-1",
      leaveUnsigned: ["x-amz-target"],
    });
    const response = await fetch(`${berth.endpoint}/`, {
      method: "POST",
      headers: unsignedTarget,
      body: "{}",
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toMatch(
      /'X-Amz-Target' must be a 'SignedHeader'/,
    );
  });
});
