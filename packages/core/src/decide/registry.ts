/** Registry-wide policy and settings. */
import type { DeleteRegistryPolicy, PutRegistryPolicy, PutRegistrySettings } from "../commands.js";
import { RegistryErrors } from "../errors.js";
import { type RegistryState, registrySettings } from "../state.js";
import { accept, type Decision, isPolicyDocument, refuse } from "./decision.js";

export const decidePutRegistryPolicy = (_state: RegistryState, { data }: PutRegistryPolicy): Decision =>
  isPolicyDocument(data.policyText)
    ? accept({
        type: "RegistryPolicySet",
        data: { registryId: data.registryId, policyText: data.policyText },
      })
    : refuse(
        RegistryErrors.invalidParameter(
          "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided'",
        ),
      );

export const decideDeleteRegistryPolicy = (state: RegistryState, { data }: DeleteRegistryPolicy): Decision =>
  registrySettings(state, data.registryId).policyText === undefined
    ? refuse(RegistryErrors.registryPolicyNotFound(data.registryId))
    : accept({ type: "RegistryPolicyDeleted", data: { registryId: data.registryId } });

/** Idempotent: asking for the settings the registry already has records nothing. */
export const decidePutRegistrySettings = (state: RegistryState, { data }: PutRegistrySettings): Decision =>
  registrySettings(state, data.registryId).lenient === data.lenient
    ? accept()
    : accept({
        type: "RegistrySettingsChanged",
        data: { registryId: data.registryId, lenient: data.lenient },
      });
