/**
 * Fuzzing the ECR JSON API with hostile requests (hostile-ecr-requests.ts), at least 10,000 per
 * storage: no answer is a 5xx, every request is answered (or, when cut short, closed) within a bound,
 * and the kept repositories and images are intact, byte for byte, afterwards. The seed is printed on
 * failure; FUZZ_SEED=<seed> replays the run, FUZZ_REQUESTS=<n> sizes it.
 */
import { ecrHostileRequests } from "./hostile-ecr-requests.js";
import { describeHostileFuzz } from "./hostile-fuzz-suite.js";

describeHostileFuzz("ECR", ecrHostileRequests);
