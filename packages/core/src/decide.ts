/**
 * `decide(state, command)`: the registry's one decision function, composed from the slices' decide
 * tables. It returns the events to append, or the RegistryError that refuses the command; a refusal
 * never comes with events. All events of one decision belong to one stream (`streamOf`), so an
 * engine appends them atomically.
 */
import * as E from "fp-ts/lib/Either.js";
import { accountSettingsDecider } from "./account-settings/account-settings-decider.js";
import { archiveDecider } from "./archive/archive-decider.js";
import type { BerthCommand } from "./berth-command.js";
import type { BerthEvent } from "./berth-event.js";
import { creationTemplateDecider } from "./creation-templates/template-decider.js";
import { garbageCollectionDecider } from "./garbage-collection/gc-decider.js";
import { imageDecider } from "./images/image-decider.js";
import type { DecisionOf } from "./kernel/decision.js";
import type { RegistryState } from "./kernel/registry-state.js";
import type { DecideTable } from "./kernel/slice.js";
import { layerUploadDecider } from "./layer-uploads/layer-upload-decider.js";
import { lifecycleDecider } from "./lifecycle/lifecycle-decider.js";
import { policyDecider } from "./policies/policy-decider.js";
import { pullThroughCacheDecider } from "./pull-through-cache/cache-rule-decider.js";
import { pullTimeExclusionDecider } from "./pull-time-exclusions/exclusion-decider.js";
import { registrySettingsDecider } from "./registry-settings/registry-settings-decider.js";
import { replicationsOnPush } from "./replication/decide-replication.js";
import { replicationDecider } from "./replication/replication-decider.js";
import { repositoryDecider } from "./repositories/repository-decider.js";
import { scansOnPush } from "./scanning/decide-image-scan.js";
import { scanningDecider } from "./scanning/scanning-decider.js";
import { signingDecider } from "./signing/signing-decider.js";

export type Decision = DecisionOf<BerthEvent>;

/** Every command type to its slice's decider: a type missing here is a compile error. */
const deciders: DecideTable<BerthCommand, BerthEvent> = {
  ...repositoryDecider.decide,
  ...imageDecider.decide,
  ...layerUploadDecider.decide,
  ...policyDecider.decide,
  ...registrySettingsDecider.decide,
  ...lifecycleDecider.decide,
  ...scanningDecider.decide,
  ...accountSettingsDecider.decide,
  ...archiveDecider.decide,
  ...signingDecider.decide,
  ...pullTimeExclusionDecider.decide,
  ...pullThroughCacheDecider.decide,
  ...creationTemplateDecider.decide,
  ...garbageCollectionDecider.decide,
  ...replicationDecider.decide,
};

/**
 * Events that follow from a decision's own, appended with them: pushing starts scans on push, and
 * pushing or tagging starts replication (except a replication's own push: rules never chain).
 */
const withConsequences =
  (state: RegistryState, command: BerthCommand) => (events: ReadonlyArray<BerthEvent>) => {
    const scans = scansOnPush(state, events);
    const replications = replicationsOnPush(state, events, command.type === "ReplicateImage");
    return scans.length === 0 && replications.length === 0 ? events : [...events, ...scans, ...replications];
  };

export const decide = (state: RegistryState, command: BerthCommand): Decision =>
  E.map(withConsequences(state, command))(
    // The table pairs each type with the decider of exactly that command; TypeScript cannot follow
    // the pairing through an index, hence the widening.
    (deciders[command.type] as (state: RegistryState, command: BerthCommand) => Decision)(state, command),
  );
