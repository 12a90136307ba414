/**
 * /v2 authentication as ECR does it: without credentials a 401 with a Basic challenge; a password
 * from a real GetAuthorizationToken (AWS SDK, SigV4) opens every /v2 route as user `AWS`, for docker
 * and skopeo alike; a wrong, forged or expired one is UNAUTHORIZED. A server without credentials
 * (local mode) stays open.
 */
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  GetAuthorizationTokenCommand,
} from "@aws-sdk/client-ecr";
import { createTokenIssuer } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBerth, startBerth } from "../support/berth-server.js";
import {
  basicAuth,
  bodyBytes,
  bytesOf,
  EMPTY_SHA256,
  expectOciError,
  MediaTypes,
  type OciClient,
  ociClient,
  pushBlob,
  pushImage,
  sha256,
} from "../support/oci-client.js";
import { buildImage, writeLayout } from "../support/oci-layout.js";
import { createSkopeo, dockerRef, requireSkopeo, type Skopeo } from "../support/oci-skopeo.js";

const ACCOUNT = "111111111111";
const SECRET = "berth-auth-suite-secret";
const KEY = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
const HOURS = 60 * 60 * 1000;

describe("/v2 with credentials configured", () => {
  let berth: RunningBerth;
  let ecr: ECRClient;
  let anonymous: OciClient;
  let password: string;
  let authed: OciClient;
  let skopeo: Skopeo;

  beforeAll(async () => {
    await requireSkopeo();
    skopeo = await createSkopeo();
    berth = await startBerth({
      storage: "memory",
      createOnPush: true,
      credentials: `${KEY.accessKeyId}:${KEY.secretAccessKey}:${ACCOUNT}`,
      secret: SECRET,
    });
    ecr = berth.client({ credentials: KEY });
    anonymous = ociClient(berth.endpoint);
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = authorizationData?.[0]?.authorizationToken;
    expect(token).toBeDefined();
    const decoded = Buffer.from(token!, "base64").toString("utf8");
    expect(decoded.startsWith("AWS:")).toBe(true);
    password = decoded.slice("AWS:".length);
    authed = anonymous.withAuthorization(basicAuth("AWS", password));
  });
  afterAll(async () => {
    await berth?.stop();
    await skopeo?.cleanup();
  });

  const challenge = () => `Basic realm="${berth.endpoint}",service="ecr.amazonaws.com"`;

  it("GET /v2/ without auth is 401 UNAUTHORIZED with a Basic challenge naming ecr.amazonaws.com", async () => {
    const response = await anonymous.request("/v2/");
    expect(response.headers.get("www-authenticate")).toBe(challenge());
    expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
    await expectOciError(response, 401, "UNAUTHORIZED");
  });

  it("GetAuthorizationToken: base64 `AWS:<password>`, valid 12 hours, for the caller's account", async () => {
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const data = authorizationData?.[0];
    expect(data?.proxyEndpoint).toMatch(new RegExp(`^http://(127\\.0\\.0\\.1|localhost):${berth.port}$`));
    const expiresIn = (data?.expiresAt?.getTime() ?? 0) - Date.now();
    expect(expiresIn).toBeGreaterThan(12 * HOURS - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(12 * HOURS + 1_000);
    // The password verifies with the server's secret, for the account the access key acts for.
    const issuer = createTokenIssuer(SECRET);
    expect(issuer.verify(password, Date.now())).toBe(ACCOUNT);
  });

  it("Basic auth with the password opens every /v2 route, acting for the key's account", async () => {
    const name = "auth/app";
    expect((await authed.request("/v2/")).status).toBe(200);

    // Uploads: monolithic, POST + PATCH + status + PUT, a cancelled one, a mount.
    const layer = bytesOf(3_000, 1);
    await pushBlob(authed, name, layer);
    const started = await authed.request(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    expect(started.status).toBe(202);
    const location = new URL(started.headers.get("location")!, berth.endpoint);
    const chunk = bytesOf(100, 2);
    const patched = await authed.request(location.toString(), {
      method: "PATCH",
      headers: { "content-range": "0-99", "content-type": "application/octet-stream" },
      body: chunk,
    });
    expect(patched.status).toBe(202);
    expect((await authed.request(location.toString())).status).toBe(204);
    location.searchParams.set("digest", sha256(chunk));
    expect((await authed.request(location.toString(), { method: "PUT" })).status).toBe(201);
    const cancelled = await authed.request(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    expect((await authed.request(cancelled.headers.get("location")!, { method: "DELETE" })).status).toBe(204);
    const mounted = await authed.request(
      `/v2/auth/mounted/blobs/uploads/?mount=${sha256(layer)}&from=${name}`,
      {
        method: "POST",
      },
    );
    expect(mounted.status).toBe(201);

    // Blobs and manifests.
    expect((await authed.request(`/v2/${name}/blobs/${sha256(layer)}`, { method: "HEAD" })).status).toBe(200);
    expect(sha256(await bodyBytes(await authed.request(`/v2/${name}/blobs/${sha256(layer)}`)))).toBe(
      sha256(layer),
    );
    const image = await pushImage(authed, name, "v1", [layer]);
    const manifest = await authed.request(`/v2/${name}/manifests/v1`, {
      headers: { accept: MediaTypes.ociManifest },
    });
    expect(manifest.status).toBe(200);
    expect(await manifest.text()).toBe(image.bytes);
    expect((await authed.request(`/v2/${name}/manifests/${image.digest}`, { method: "HEAD" })).status).toBe(
      200,
    );
    expect(await (await authed.request(`/v2/${name}/tags/list`)).json()).toEqual({ name, tags: ["v1"] });
    expect((await authed.request(`/v2/${name}/referrers/${image.digest}`)).status).toBe(200);
    expect(await (await authed.request("/v2/_catalog")).json()).toEqual({
      repositories: ["auth/app", "auth/mounted"],
    });

    // The same routes without auth are all 401.
    for (const [method, path] of [
      ["POST", `/v2/${name}/blobs/uploads/`],
      ["HEAD", `/v2/${name}/blobs/${sha256(layer)}`],
      ["GET", `/v2/${name}/manifests/v1`],
      ["GET", `/v2/${name}/tags/list`],
      ["GET", `/v2/${name}/referrers/${image.digest}`],
      ["GET", "/v2/_catalog"],
      ["DELETE", `/v2/${name}/manifests/v1`],
    ] as const) {
      const response = await anonymous.request(path, { method });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe(challenge());
    }

    // What /v2 pushed is in the key's account, as the ECR API sees it.
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({}));
    expect(repositories?.map((r) => [r.registryId, r.repositoryName]).sort()).toEqual([
      [ACCOUNT, "auth/app"],
      [ACCOUNT, "auth/mounted"],
    ]);
    const described = await ecr.send(new DescribeImagesCommand({ repositoryName: name }));
    expect(described.imageDetails?.map((d) => d.imageDigest)).toEqual([image.digest]);

    expect((await authed.request(`/v2/${name}/manifests/v1`, { method: "DELETE" })).status).toBe(202);
  });

  it("a wrong password, another user, a forged or malformed header, or another scheme is 401 UNAUTHORIZED", async () => {
    const forged = createTokenIssuer("not the server's secret").issue(ACCOUNT as never, Date.now()).password;
    const [payload, signature] = password.split(".");
    const tampered = `${Buffer.from(JSON.stringify({ a: "222222222222", e: Date.now() + HOURS })).toString("base64url")}.${signature}`;
    for (const authorization of [
      basicAuth("AWS", `${password}x`),
      basicAuth("AWS", "secret"),
      basicAuth("aws", password),
      basicAuth("AKIDEXAMPLE", "secret"),
      basicAuth("AWS", forged),
      basicAuth("AWS", tampered),
      basicAuth("AWS", payload!),
      `Basic ${Buffer.from("no colon at all").toString("base64")}`,
      "Basic !!!not-base64!!!",
      `Bearer ${password}`,
      "Basic",
    ]) {
      const response = await anonymous.withAuthorization(authorization).request("/v2/");
      expect(response.headers.get("www-authenticate"), authorization).toBe(challenge());
      const error = await expectOciError(response, 401, "UNAUTHORIZED");
      expect(error.message.length).toBeGreaterThan(0);
    }
  });

  it("the Basic scheme is matched in any case (RFC 7235): basic, BASIC and Basic all log in", async () => {
    const credential = basicAuth("AWS", password).slice("Basic ".length);
    for (const scheme of ["basic", "BASIC", "bAsIc", "Basic"]) {
      const response = await anonymous.withAuthorization(`${scheme} ${credential}`).request("/v2/_catalog");
      expect(response.status, scheme).toBe(200);
    }
  });

  it("an empty Basic credential (buildah and podman before login) is asked to authenticate", async () => {
    for (const authorization of ["Basic Og==", "basic Og==", "Basic"]) {
      const response = await anonymous.withAuthorization(authorization).request("/v2/");
      expect(response.headers.get("www-authenticate"), authorization).toBe(challenge());
      const error = await expectOciError(response, 401, "UNAUTHORIZED");
      expect(error.message, authorization).toMatch(/^authentication required/);
    }
  });

  it("an expired token is 401; one minted now with the server's secret works", async () => {
    const issuer = createTokenIssuer(SECRET);
    const expired = issuer.issue(ACCOUNT as never, Date.now() - 13 * HOURS);
    expect(expired.expiresAt).toBeLessThan(Date.now());
    const refused = await anonymous.withAuthorization(basicAuth("AWS", expired.password)).request("/v2/");
    const error = await expectOciError(refused, 401, "UNAUTHORIZED");
    expect(error.message).toMatch(/expired/);

    const nearlyExpired = issuer.issue(ACCOUNT as never, Date.now() - 12 * HOURS + 60_000);
    expect(
      (await anonymous.withAuthorization(basicAuth("AWS", nearlyExpired.password)).request("/v2/")).status,
    ).toBe(200);
    // Decoded from the authorizationToken as docker does it.
    const [user, pass] = Buffer.from(issuer.issue(ACCOUNT as never, Date.now()).authorizationToken, "base64")
      .toString("utf8")
      .split(":");
    expect((await anonymous.withAuthorization(basicAuth(user!, pass!)).request("/v2/_catalog")).status).toBe(
      200,
    );
  });

  it("skopeo pushes, inspects and lists tags with --creds AWS:<password>; without them it is refused", async () => {
    const source = await skopeo.scratch("auth-src");
    const image = buildImage({ seed: "auth", layerCount: 3 });
    await writeLayout(source, [{ name: "v1", image }]);
    const creds = `AWS:${password}`;
    const target = dockerRef(berth.port, "auth/skopeo:v1");

    await expect(
      skopeo(["copy", "--quiet", `oci:${source}:v1`, target, "--dest-tls-verify=false"]),
    ).rejects.toThrow(/unauthorized|authentication required/i);
    await expect(
      skopeo([
        "copy",
        "--quiet",
        `oci:${source}:v1`,
        target,
        "--dest-tls-verify=false",
        "--dest-creds",
        "AWS:wrong",
      ]),
    ).rejects.toThrow(/unauthorized|authentication required/i);

    await skopeo([
      "copy",
      "--quiet",
      `oci:${source}:v1`,
      target,
      "--dest-tls-verify=false",
      "--dest-creds",
      creds,
    ]);
    const inspected = JSON.parse(
      (await skopeo(["inspect", "--tls-verify=false", "--creds", creds, target])).stdout,
    ) as {
      Digest: string;
      Layers: string[];
    };
    expect(inspected).toMatchObject({ Digest: image.manifestDigest, Layers: image.layerDigests });
    const tags = JSON.parse(
      (
        await skopeo([
          "list-tags",
          "--tls-verify=false",
          "--creds",
          creds,
          dockerRef(berth.port, "auth/skopeo"),
        ])
      ).stdout,
    ) as { Tags: string[] };
    expect(tags.Tags).toEqual(["v1"]);
    await expect(skopeo(["inspect", "--tls-verify=false", target])).rejects.toThrow(
      /unauthorized|authentication required/i,
    );

    const out = await skopeo.scratch("auth-out");
    await skopeo([
      "copy",
      "--quiet",
      target,
      `oci:${out}:v1`,
      "--src-tls-verify=false",
      "--src-creds",
      creds,
    ]);
  });

  it("a token for another account acts for that account: its repositories are its own", async () => {
    const other = "222222222222";
    const otherToken = createTokenIssuer(SECRET).issue(other as never, Date.now());
    const asOther = anonymous.withAuthorization(basicAuth("AWS", otherToken.password));
    await pushImage(asOther, "auth/other", "v1");
    expect(await (await asOther.request("/v2/_catalog")).json()).toEqual({ repositories: ["auth/other"] });
    await expectOciError(await authed.request("/v2/auth/other/manifests/v1"), 404, "NAME_UNKNOWN");
    expect(
      ((await (await authed.request("/v2/_catalog")).json()) as { repositories: string[] }).repositories,
    ).not.toContain("auth/other");
  });

  it("the ECR API still wants SigV4 with a configured key", async () => {
    const stranger = berth.client({ credentials: { accessKeyId: "AKIDUNKNOWN", secretAccessKey: "nope" } });
    await expect(
      stranger.send(new CreateRepositoryCommand({ repositoryName: "auth/nope" })),
    ).rejects.toMatchObject({
      $metadata: { httpStatusCode: expect.any(Number) },
    });
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({}));
    expect(repositories?.map((r) => r.repositoryName)).not.toContain("auth/nope");
  });
});

describe("/v2 in local mode (no credentials)", () => {
  let berth: RunningBerth;
  beforeAll(async () => {
    berth = await startBerth({ storage: "memory", createOnPush: true });
  });
  afterAll(async () => {
    await berth?.stop();
  });

  it("is open without auth, and with any Authorization header", async () => {
    const open = ociClient(berth.endpoint);
    for (const client of [
      open,
      open.withAuthorization(basicAuth("AWS", "anything")),
      open.withAuthorization(basicAuth("someone", "else")),
      open.withAuthorization("Bearer whatever"),
    ]) {
      const base = await client.request("/v2/");
      expect(base.status).toBe(200);
      expect(base.headers.get("www-authenticate")).toBeNull();
      const pushed = await client.request(`/v2/local/app/blobs/uploads/?digest=${EMPTY_SHA256}`, {
        method: "POST",
      });
      expect(pushed.status).toBe(201);
    }
    const image = await pushImage(open, "local/app", "v1");
    const pulled = await open
      .withAuthorization(basicAuth("AWS", "stale"))
      .request("/v2/local/app/manifests/v1");
    expect(await pulled.text()).toBe(image.bytes);
  });
});
