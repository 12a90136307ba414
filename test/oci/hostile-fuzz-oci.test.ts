/**
 * Fuzzing the OCI /v2 API with hostile requests (hostile-oci-requests.ts), at least 10,000 per
 * storage: no answer is a 5xx, every request is answered (or, when cut short, closed) within a bound,
 * and the kept repositories and images are intact, byte for byte, afterwards. The seed is printed on
 * failure; FUZZ_SEED=<seed> replays the run, FUZZ_REQUESTS=<n> sizes it.
 */
import { describeHostileFuzz } from "../server/hostile-fuzz-suite.js";
import { ociHostileRequests } from "./hostile-oci-requests.js";

describeHostileFuzz("/v2", ociHostileRequests);
