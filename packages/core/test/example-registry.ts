/** The registry, repositories and command builders the core's examples share. */
import { type BerthCommand, RegistryId, RepositoryName } from "@berth/core";
import { branded, historyFrom, registryCommands, registryDecider } from "@berth/testkit";

export const registryId = branded(RegistryId, "123456789012");
/** Command builders for `registryId`, at the example time. */
export const c = registryCommands(registryId);
export const app = branded(RepositoryName, "team/app");
export const other = branded(RepositoryName, "team/other");
export const ref = { registryId, repositoryName: app };
/** The events of running `steps` in order (each must succeed). */
export const given = (...steps: Array<BerthCommand | BerthCommand[]>) =>
  historyFrom(registryDecider, steps.flat());
