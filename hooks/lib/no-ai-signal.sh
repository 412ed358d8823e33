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
#   - the message and both identities are printable ASCII (the restricting reader
#     normalises Unicode: NFKC, invisible characters) and contain none of the needles —
#     every email, trailer key, marker, name suffix and co-author name of the table
#     (dist/no-ai-signal.needles, generated from policies/tools.yaml at build time),
#     matched case-insensitively as substrings.
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
  env | LC_ALL=C grep -q -f "$_cr_dist/no-ai-signal.env" && return 1
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
  _cr_ids=$(git var GIT_AUTHOR_IDENT && git var GIT_COMMITTER_IDENT) || return 1
  cleanroom_text_has_no_signal "$1" "$_cr_ids" "$_cr_dist/no-ai-signal.needles" || return 1
  git diff-index --cached --quiet --diff-filter=D HEAD -- 2>/dev/null || return 1
  return 0
}

# cleanroom_text_has_no_signal MSGFILE IDENTITIES NEEDLES: 0 when the message file and the
# identity lines are printable ASCII and contain no needle (case-insensitive substring).
cleanroom_text_has_no_signal() {
  LC_ALL=C grep -q '[^ -~	]' "$1" && return 1
  printf '%s\n' "$2" | LC_ALL=C grep -q '[^ -~	]' && return 1
  LC_ALL=C grep -q -i -F -f "$3" "$1" && return 1
  printf '%s\n' "$2" | LC_ALL=C grep -q -i -F -f "$3" && return 1
  return 0
}
