// How the file systems a repository is checked out on compare names, where that differs
// from Git's bytes: what a zone, a link or the config guard must fold so that a name a
// checkout writes to the same place is judged the same way.

/**
 * Code points HFS+ ignores when it compares names: Git's utf8.c `next_hfs_char` (zero
 * width joiners and non-joiners, direction marks and embeddings, the deprecated format
 * characters U+206A–U+206F, and the byte order mark). On HFS+ `evals\u200c/q.json` opens
 * `evals/q.json`.
 */
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/gu;

/**
 * `name` (a path or one of its segments, UTF-16 as decoded from Git's bytes) without
 * the code points HFS+ ignores (`HFS_IGNORED`); the same string when it holds none.
 * Errors: none.
 */
export const withoutHfsIgnored = (name: string): string => name.replace(HFS_IGNORED, '');
