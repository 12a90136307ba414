/** Decoding of an ECR request body (already parsed JSON) into the typed request of its operation. */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { type InvalidParameterException, RegistryErrors } from "../errors.js";
import { type EcrOperation, type EcrRequest, EcrRequests } from "./ecr-requests.js";
import { validationMessage } from "./validation-message.js";

export const decodeRequest = <Operation extends EcrOperation>(
  operation: Operation,
  body: unknown,
): E.Either<InvalidParameterException, EcrRequest<Operation>> =>
  pipe(
    EcrRequests[operation].decode(body),
    E.mapLeft((errors) => RegistryErrors.invalidParameter(validationMessage(errors))),
  );
