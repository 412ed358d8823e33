# cleanroom: the commit-msg fast path, sourced by hooks/commit-msg (POSIX sh).
#
# `cleanroom_no_ai_signal MSGFILE` returns 0 only when it can show, without starting Node,
# that the commit carries no AI signal at all — and so that the full check would find
# nothing: every finding needs a signal. Anything it cannot show cheaply returns 1, and
# the hook runs the full check. It over-approximates on purpose:
#   - the policy is the work tree's, unchanged since the full check last loaded it without
#     error and without policy-defined tools (`.git/cleanroom/fastpath` holds its sha256);
#   - no agent environment variable of the tool table is set (any value);
#   - no ledger, no merge, cherry-pick, revert, rebase or amend in progress;
#   - no staged deletion (a rename into a zone is traced to the commits that wrote its
#     source: that needs the full check);
#   - the message and both identities (all of `git var -l`) are printable ASCII (the
#     restricting reader normalises Unicode: NFKC, invisible characters) and contain none
#     of the needles — every email, trailer key, marker, name suffix and co-author name
#     of the table (dist/no-ai-signal.needles, generated from policies/tools.yaml at
#     build time), matched case-insensitively as substrings.
# Its cost is a few processes (issue 14): one grep for the environment, one tr for the
# parent's argv, one sha256sum, one `git var -l`, one grep for the text, one git
# diff-index — each one is counted in docs/local-hooks.md (Cost).
# test/repo/core/fast-path.test.ts proves the over-approximation against the full
# detector on the table's own examples and on mutated messages.
cleanroom_no_ai_signal() {
  _cr_dist="${0%/*}/../dist"
  [ -z "${CLEANROOM_POLICY-}" ] && [ -z "${GIT_DIR-}" ] && [ -d .git ] && [ -f .cleanroom/policy.yaml ] || return 1
  [ -r "$_cr_dist/no-ai-signal.needles" ] && [ -r "$_cr_dist/no-ai-signal.env" ] && [ -r .git/cleanroom/fastpath ] || return 1
  [ -s .git/cleanroom/ledger.jsonl ] && return 1
  for _cr_f in MERGE_HEAD CHERRY_PICK_HEAD REVERT_HEAD rebase-merge rebase-apply cleanroom/amending; do
    [ -e ".git/$_cr_f" ] && return 1
  done
  cleanroom_env_has_no_agent "$_cr_dist/no-ai-signal.env" || return 1
  # `git commit --amend -m`: prepare-commit-msg is told "message", so look at git's argv.
  _cr_pid=$PPID
  for _cr_i in 1 2 3; do
    [ -r "/proc/$_cr_pid/cmdline" ] || break
    case "$(tr '\0' ' ' < "/proc/$_cr_pid/cmdline")" in
      *" --am"*) return 1 ;;  # --amend, or a prefix git accepts for it
      git\ *commit*|*/git\ *commit*) break ;;
    esac
    _cr_pid=$(sed 's/.*) [A-Za-z] \([0-9]*\).*/\1/' "/proc/$_cr_pid/stat" 2>/dev/null) || break
  done
  read -r _cr_want < .git/cleanroom/fastpath || return 1
  _cr_have=$(sha256sum < .cleanroom/policy.yaml 2>/dev/null || shasum -a 256 < .cleanroom/policy.yaml) || return 1
  [ "${_cr_have%% *}" = "$_cr_want" ] || return 1
  # Both identities in one git process: `git var -l` lists the config, then GIT_*_IDENT.
  # All of it is searched (a needle in an alias only costs the full check), so no line of
  # the config can stand in for an identity.
  _cr_ids=$(git var -l) || return 1
  case $_cr_ids in *GIT_AUTHOR_IDENT=*GIT_COMMITTER_IDENT=*|*GIT_COMMITTER_IDENT=*GIT_AUTHOR_IDENT=*) ;; *) return 1 ;; esac
  cleanroom_text_has_no_signal "$1" "$_cr_ids" "$_cr_dist/no-ai-signal.needles" || return 1
  git diff-index --cached --quiet --diff-filter=D HEAD -- 2>/dev/null || return 1
  return 0
}

# cleanroom_text_has_no_signal MSGFILE IDENTITIES PATTERNS: 0 when neither the message file
# nor the identity lines match any pattern of dist/no-ai-signal.needles (a byte that is not
# printable ASCII or a tab, or a needle, case-insensitively). One grep for both; any status
# but 1 ("nothing found": a missing file, a grep error) counts as a signal.
cleanroom_text_has_no_signal() {
  printf '%s\n' "$2" | LC_ALL=C grep -q -i -f "$3" -- - "$1" 2>/dev/null
  [ $? -eq 1 ]
}

# cleanroom_env_has_no_agent PATTERNS: 0 when no variable of this process's environment
# matches an agent rule (dist/no-ai-signal.env). Linux: the environment this shell was
# started with, as the kernel holds it (every name, even one a shell cannot import,
# such as CODEX_SANDBOX.x); elsewhere `env`. Any status but 1 counts as an agent.
cleanroom_env_has_no_agent() {
  if [ -r "/proc/$$/environ" ]; then
    LC_ALL=C grep -q -z -f "$1" "/proc/$$/environ" 2>/dev/null
  else
    env | LC_ALL=C grep -q -f "$1" 2>/dev/null
  fi
  [ $? -eq 1 ]
}
