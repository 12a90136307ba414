/**
 * Registry keys (values/registry-key.ts): one registry per (account, region). The default region's
 * key is the bare account, so events, stream names and state written before regions existed read as
 * the default region's; any other region's key is distinct, and round-trips to its account and region.
 */
import {
  AccountId,
  accountOf,
  accountsInText,
  evolve,
  findRepository,
  initialState,
  isAwsRegion,
  RegistryId,
  regionOf,
  registryKey,
  repositoryArn,
  StreamNames,
} from "@berth/core";
import { historyFrom, registryCommands, registryDecider } from "@berth/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { app } from "./example-registry.js";

const account = fc.stringMatching(/^[0-9]{12}$/).map((s) => s as RegistryId);
const region = fc
  .tuple(
    fc.constantFrom("us", "eu", "ap", "ca", "sa", "me", "af", "il", "cn"),
    fc.array(fc.constantFrom("east", "west", "north", "south", "central", "southeast", "gov"), {
      minLength: 1,
      maxLength: 2,
    }),
    fc.integer({ min: 1, max: 14 }),
  )
  .map(([area, parts, n]) => [area, ...parts, String(n)].join("-"));

describe("registry keys", () => {
  it("round-trip to their account and region; only the default region's key is a bare account", () => {
    fc.assert(
      fc.property(account, region, region, (a, r, defaultRegion) => {
        const key = registryKey(a, r, defaultRegion);
        expect(isAwsRegion(r)).toBe(true);
        expect(RegistryId.is(key)).toBe(true);
        expect(accountOf(key)).toBe(a);
        expect(regionOf(key, defaultRegion)).toBe(r);
        expect(AccountId.is(key)).toBe(r === defaultRegion);
        expect(key === a).toBe(r === defaultRegion);
        expect(repositoryArn(defaultRegion, key, app)).toBe(`arn:aws:ecr:${r}:${a}:repository/${app}`);
        expect(accountsInText(`in the registry with id '${key}'`)).toBe(`in the registry with id '${a}'`);
      }),
    );
  });

  it("keeps the default region's stream names exactly as before regions", () => {
    fc.assert(
      fc.property(account, region, (a, defaultRegion) => {
        const key = registryKey(a, defaultRegion, defaultRegion);
        expect(StreamNames.repository(key, app)).toBe(`repository-${a}-${app}`);
        expect(StreamNames.registry(key)).toBe(`registry-${a}`);
      }),
    );
  });

  it("accepts AWS region names only", () => {
    for (const name of ["us-east-1", "eu-central-2", "us-gov-west-1", "ap-southeast-4", "cn-northwest-1"]) {
      expect(isAwsRegion(name)).toBe(true);
    }
    for (const name of ["", "local", "nowhere", "US-EAST-1", "us-east", "us_east_1", "eu-west-1/x"]) {
      expect(isAwsRegion(name)).toBe(false);
    }
  });

  it("holds two regions of one account as two registries", () => {
    const a = "123456789012" as RegistryId;
    const eu = registryKey(a, "eu-west-1", "us-east-1");
    const events = historyFrom(registryDecider, [registryCommands(eu).createRepository(app)]);
    const state = events.reduce(evolve, initialState);
    expect(findRepository(state, eu, app)?.registryId).toBe(eu);
    expect(findRepository(state, a, app)).toBeUndefined();
    // The same name is free in the default region's registry.
    const both = historyFrom(registryDecider, [registryCommands(a).createRepository(app)], state);
    expect(both.length).toBeGreaterThan(0);
  });
});
