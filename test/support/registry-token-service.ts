/**
 * A token service for the CNCF registry's `auth: token` mode (the distribution token spec, as Docker
 * Hub's auth.docker.io does it): a GET of `/token?service=…&scope=…` with the right Basic
 * credentials gets a JWT (RS256, its certificate in `x5c`) granting the scope asked; anything else
 * is 401. The registry itself verifies every token against the certificate it is given, so the
 * upstream under test is the real registry with real Bearer auth. The key and a self-signed
 * certificate come from the openssl CLI.
 */
import { execFile } from "node:child_process";
import { createSign, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

export interface RegistryTokenService {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** The certificate (PEM file) the registry verifies tokens with. */
  readonly certificateFile: string;
  /** Token requests answered so far, with the scope asked and whether they were granted. */
  readonly requests: Array<{ readonly scope: string; readonly granted: boolean }>;
  stop(): Promise<void>;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

export async function startRegistryTokenService(
  user: string,
  password: string,
): Promise<RegistryTokenService> {
  const dir = await mkdtemp(join(tmpdir(), "berth-token-service-"));
  const keyFile = join(dir, "key.pem");
  const certificateFile = join(dir, "cert.pem");
  await promisify(execFile)("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=berth-test-token-issuer",
    "-keyout",
    keyFile,
    "-out",
    certificateFile,
  ]);
  const key = await readFile(keyFile, "utf8");
  const certificate = (await readFile(certificateFile, "utf8")).replace(/-----[^-]+-----|\s/g, "");
  const service = "cncf-registry-under-test";
  const issuer = "berth-test-token-issuer";
  const requests: Array<{ scope: string; granted: boolean }> = [];
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

  const tokenFor = (scope: string) => {
    const [type, name, actions] = scope.split(":");
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ typ: "JWT", alg: "RS256", x5c: [certificate] }));
    const claims = base64url(
      JSON.stringify({
        iss: issuer,
        sub: user,
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access:
          type === undefined || name === undefined
            ? []
            : [{ type, name, actions: (actions ?? "").split(",") }],
      }),
    );
    const signature = createSign("RSA-SHA256").update(`${header}.${claims}`).sign(key, "base64url");
    return `${header}.${claims}.${signature}`;
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://token");
    const scope = url.searchParams.get("scope") ?? "";
    const granted = url.pathname === "/token" && request.headers.authorization === expected;
    requests.push({ scope, granted });
    if (!granted) {
      response.writeHead(401, { "content-type": "application/json" });
      response.end(JSON.stringify({ details: "incorrect username or password" }));
      return;
    }
    const token = tokenFor(scope);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    realm: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
    service,
    issuer,
    certificateFile,
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
