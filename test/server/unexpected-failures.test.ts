/**
 * Each front end answers its own unexpected failures (a bug, storage down) in its own shape and
 * logs them: /v2 with the distribution spec's error body (code UNKNOWN), the ECR API with
 * ServerException. Provoked honestly: a real memory blob store whose createUpload throws.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { InitiateLayerUploadCommand } from "@aws-sdk/client-ecr";
import { createMemoryBlobStore, createMemoryEventStore } from "@berth/adapter-memory";
import type { RegistryId, RepositoryName } from "@berth/core";
import { createRegistry } from "@berth/engine";
import { type BerthServerOptions, createBerthServer, parseCredentials } from "@berth/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localEcrClient } from "../support/berth-server.js";

const ACCOUNT = "000000000000" as RegistryId;

/** The errors the server logs (pino's `error(object, message)`), without a pino dependency here. */
const recordingLogger = () => {
  const errors: Array<{ readonly fields: Record<string, unknown>; readonly message: string }> = [];
  const logger = {
    error: (fields: Record<string, unknown>, message: string) => errors.push({ fields, message }),
    warn: () => {},
    info: () => {},
    debug: () => {},
    child: () => logger,
  };
  return { logger: logger as unknown as BerthServerOptions["logger"], errors };
};

describe("unexpected failures: each front end answers its own 500", () => {
  const { logger, errors } = recordingLogger();
  const server = createBerthServer({
    registry: createRegistry({
      events: createMemoryEventStore(),
      blobs: {
        ...createMemoryBlobStore(),
        createUpload: () => Promise.reject(new Error("the blob store is down")),
      },
      defaultRegistryId: ACCOUNT,
    }),
    logger,
    credentials: parseCredentials("", ACCOUNT),
    defaultAccountId: ACCOUNT,
  });
  let endpoint = "";

  beforeAll(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await once(server, "close");
  });

  it("/v2 answers 500 UNKNOWN in the spec's error shape, with the API version header", async () => {
    errors.length = 0;
    const response = await fetch(`${endpoint}/v2/team/app/blobs/uploads/`, { method: "POST" });
    expect(response.status).toBe(500);
    expect(response.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({
      errors: [
        {
          code: "UNKNOWN",
          message: "The server could not complete the request; it has been logged",
          detail: null,
        },
      ],
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe("request failed");
    expect(errors[0]?.fields).toMatchObject({ method: "POST", url: "/v2/team/app/blobs/uploads/" });
    expect(String(errors[0]?.fields.err)).toContain("the blob store is down");
  });

  it("the ECR API answers ServerException (500), as the SDKs expect", async () => {
    errors.length = 0;
    const client = localEcrClient(endpoint);
    try {
      const failure = await client
        .send(new InitiateLayerUploadCommand({ repositoryName: "team/app" as RepositoryName }))
        .then(
          () => undefined,
          (error: unknown) => error as { name: string; $metadata: { httpStatusCode?: number } },
        );
      expect(failure?.name).toBe("ServerException");
      expect(failure?.$metadata.httpStatusCode).toBe(500);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.fields).toMatchObject({ method: "POST", url: "/" });
    } finally {
      client.destroy();
    }
  });
});
