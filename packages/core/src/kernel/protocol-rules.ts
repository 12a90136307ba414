/**
 * Where ECR and the OCI distribution API differ on a rule, the command says whose rules apply and
 * the core decides; front ends only name their protocol. `ecr` is the default wherever it is optional.
 */
export type ProtocolRules = "ecr" | "oci";
