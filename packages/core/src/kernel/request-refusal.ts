/** How a request that its codec refuses is refused on the wire: always InvalidParameterException. */
import type * as t from "io-ts";
import { parameterRuleMessage } from "./parameter-rule.js";
import { type InvalidParameterException, RegistryErrors } from "./registry-errors.js";
import { validationMessage } from "./validation-message.js";

/** A broken parameter rule in its own words; broken constraints in ECR's validation wording. */
export const requestRefusal = (errors: t.Errors): InvalidParameterException =>
  RegistryErrors.invalidParameter(parameterRuleMessage(errors) ?? validationMessage(errors));
