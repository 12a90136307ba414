/** Reading the `WWW-Authenticate` challenges registries send (RFC 7235; the distribution token spec). */
import { parseChallenge } from "@berth/server";
import { describe, expect, it } from "vitest";

describe("parseChallenge", () => {
  it("reads Docker Hub's Bearer challenge: realm, service and scope", () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      ),
    ).toEqual({
      scheme: "bearer",
      params: {
        realm: "https://auth.docker.io/token",
        service: "registry.docker.io",
        scope: "repository:library/alpine:pull",
      },
    });
  });

  it("reads a Basic challenge whatever the scheme's case, with quoted escapes and bare tokens", () => {
    expect(parseChallenge('basic realm="Berth \\"ECR\\""')).toEqual({
      scheme: "basic",
      params: { realm: 'Berth "ECR"' },
    });
    expect(parseChallenge("BEARER realm=https://ghcr.io/token, service=ghcr.io")).toEqual({
      scheme: "bearer",
      params: { realm: "https://ghcr.io/token", service: "ghcr.io" },
    });
  });

  it("knows no other scheme, and no header", () => {
    expect(parseChallenge('Negotiate realm="x"')).toBeUndefined();
    expect(parseChallenge(null)).toBeUndefined();
  });
});
