// Object ids as git prints them: 40 lowercase hex digits (sha1) or 64 (sha256), nothing
// in between. One check for every reader of ids from outside (git output, the ledger,
// MERGE_HEAD, hook arguments): `{40,64}` would accept 41–63 digits, which no repository has.

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** True for a full sha1 (40 hex) or sha256 (64 hex) object id, lowercase, nothing else. */
export const isObjectId = (s: string): boolean => OBJECT_ID.test(s);
