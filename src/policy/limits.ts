// Size limits shared by the policy loaders.

/** A policy (or trust file) larger than this cannot be a real one. */
export const MAX_POLICY_BYTES = 1024 * 1024;
