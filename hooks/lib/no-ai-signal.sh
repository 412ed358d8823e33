# cleanroom: the commit-msg fast path, sourced by hooks/commit-msg (POSIX sh).
#
# `cleanroom_no_ai_signal MSGFILE` returns 0 only when it can show, without starting Node,
# that the full check would find nothing: either the commit carries no AI signal at all
# (every finding needs a signal), or — in an agent's session, or with a ledger — no
# staged path can be in a zone (every finding is a staged file in a zone). Anything it cannot show cheaply returns
# 1, and the hook runs the full check. It over-approximates on purpose:
#   - the policy is the work tree's, unchanged since the full check last loaded it without
#     error and without policy-defined tools (`.git/cleanroom/fastpath` holds its sha256;
#     `fastpath.zones` too, then `zones-v1` and the zone patterns: cleanroom_no_zone_path);
#   - no merge, cherry-pick, revert, rebase or amend in progress;
# and then, with no agent environment variable of the tool table set (any value) and no
# ledger entries:
#   - no staged deletion (a rename into a zone is traced to the commits that wrote its
#     source: that needs the full check);
#   - the message and both identities (all of `git var -l`) are printable ASCII (the
#     restricting reader normalises Unicode: NFKC, invisible characters) and contain none
#     of the needles — every email, trailer key, marker, name suffix and co-author name
#     of the table (dist/no-ai-signal.needles, generated from policies/tools.yaml at
#     build time), matched case-insensitively as substrings;
# or, with one set or a ledger: cleanroom_no_zone_path.
# Its cost is a few processes (issue 14): one grep for the environment and git's argv, one
# sha256sum, then one `git var -l`, one grep for the text, one git diff-index (no agent),
# or git diff-index, two greps and a subshell (agent) — each one is counted in
# docs/local-hooks.md (Cost); everything else is shell builtins.
# test/repo/core/fast-path.test.ts proves the over-approximation against the full
# detector on the table's own examples and on mutated messages, and the zone patterns
# against the policy's glob matcher on random globs.
# GNU grep before 3.6 read options from GREP_OPTIONS, which the caller's (an agent's)
# environment sets: GREP_OPTIONS=-m0 makes every grep below answer "nothing found", the
# fast paths' "no signal, no zone". Dropped here, for every function of this file and the
# hook that sourced it (grep 3.6 and later ignore it: no test on this machine can show it).
unset GREP_OPTIONS
cleanroom_no_ai_signal() {
  _cr_dist="${0%/*}/../dist"
  [ -z "${CLEANROOM_POLICY-}" ] && [ -z "${GIT_DIR-}" ] && [ -d .git ] && [ -f .cleanroom/policy.yaml ] || return 1
  [ -r "$_cr_dist/no-ai-signal.needles" ] && [ -r "$_cr_dist/no-ai-signal.env" ] || return 1
  for _cr_f in MERGE_HEAD CHERRY_PICK_HEAD REVERT_HEAD rebase-merge rebase-apply cleanroom/amending; do
    [ -e ".git/$_cr_f" ] && return 1
  done
  # With a ledger (a commit is then judged as an agent's), prepare-commit-msg's ledger fast
  # path may have answered the zone path's question already, for exactly these inputs, in
  # this same `git commit` (cleanroom_zone_seen: the key names the git process by pid and
  # start time), after asking about `--amend` in the same ancestors' arguments: nothing is
  # asked again, not even that (no grep).
  if [ -s .git/cleanroom/ledger.jsonl ] && cleanroom_zone_seen; then
    case $_cr_key in *"
git $PPID ?
"*) ;; *) return 0 ;; esac
  fi
  # The agent environment and `git commit --amend -m` (prepare-commit-msg is told
  # "message") in one grep: see cleanroom_env_seen. An agent, or a ledger with entries
  # (its matches are signals too): the zone path, whose patterns follow the policy's
  # sha256 in a note of their own (fastpath.zones).
  cleanroom_env_noted || cleanroom_env_seen "$_cr_dist/no-ai-signal.env" || return 1
  [ -s .git/cleanroom/ledger.jsonl ] && _cr_seen=agent
  _cr_note=.git/cleanroom/fastpath
  [ "$_cr_seen" = agent ] && _cr_note=.git/cleanroom/fastpath.zones
  # -f: regular files only. A FIFO put at the note (or the policy) would block the read,
  # and the commit, forever; the full check has a deadline, this shell has none. -O, not
  # -L: the note is this user's own file, not a link to one someone else can write.
  [ -f "$_cr_note" ] && [ -r "$_cr_note" ] && [ -O "$_cr_note" ] && [ ! -L "$_cr_note" ] || return 1
  _cr_want=
  _cr_form=
  { read -r _cr_want && read -r _cr_form; } < "$_cr_note"
  [ -n "$_cr_want" ] || return 1
  # One process: a command substitution of a single command is exec'd by the subshell.
  # prepare-commit-msg's ledger fast path answered the zone path's question for exactly
  # these inputs (cleanroom_zone_seen): no sha256sum, no diff-index.
  [ "$_cr_seen" = agent ] && [ "$_cr_form" = zones-v1 ] && cleanroom_zone_seen && return 0
  _cr_have=$(sha256sum < .cleanroom/policy.yaml 2>/dev/null) || _cr_have=$(shasum -a 256 < .cleanroom/policy.yaml) || return 1
  [ "${_cr_have%% *}" = "$_cr_want" ] || return 1
  if [ "$_cr_seen" = agent ]; then
    # An AI signal is present, so the question is where, not whether: see cleanroom_no_zone_path.
    [ "$_cr_form" = zones-v1 ] || return 1
    cleanroom_no_zone_path "$_cr_note"
    return
  fi
  # Both identities in one git process: `git var -l` lists the config, then GIT_*_IDENT.
  # All of it is searched (a needle in an alias only costs the full check), so no line of
  # the config can stand in for an identity.
  _cr_ids=$(git var -l) || return 1
  case $_cr_ids in *GIT_AUTHOR_IDENT=*GIT_COMMITTER_IDENT=*|*GIT_COMMITTER_IDENT=*GIT_AUTHOR_IDENT=*) ;; *) return 1 ;; esac
  cleanroom_text_has_no_signal "$1" "$_cr_ids" "$_cr_dist/no-ai-signal.needles" || return 1
  git --no-replace-objects diff-index --cached --quiet --ignore-submodules=none --diff-filter=D HEAD -- 2>/dev/null || return 1
  return 0
}

# cleanroom_text_has_no_signal MSGFILE IDENTITIES STRINGS: 0 when neither the message file
# nor the identity lines hold any fixed string of dist/no-ai-signal.needles (a byte that is
# not printable ASCII or a tab, or a needle, case-insensitively: `-F`, no regular
# expressions to compile, ~3 ms of CPU less than patterns). One grep for both; any status
# but 1 ("nothing found": a missing file, a grep error) counts as a signal. `-a`: a file
# with a NUL byte is "binary" to grep, which may then take the NUL for a line end and
# never show it to the pattern that catches it; as text, the NUL itself is a signal.
cleanroom_text_has_no_signal() {
  # The identities arrive as a here-document, not through `printf | grep`: a pipeline
  # forks a subshell for printf.
  LC_ALL=C grep -q -a -i -F -f "$3" -- - "$1" 2>/dev/null <<_cr_ids_
$2
_cr_ids_
  [ $? -eq 1 ]
}

# cleanroom_env_seen PATTERNS: sets _cr_seen=none when no variable of this process's
# environment matches an agent rule (dist/no-ai-signal.env) and no process above this hook
# was started with an argument that begins `--am` (`git commit --amend`, or a prefix git
# accepts for it); _cr_seen=agent when only the environment matched; returns 1 otherwise
# (an ancestor's argument matched either kind of pattern, or grep failed). On Linux it
# also sets _cr_envn to the number of matching variables (else empty). Linux: the
# environment this shell was started with, as the kernel holds it (every name, even one a
# shell cannot import, such as CODEX_SANDBOX.x), and the argv of up to six ancestors
# (/proc/PID/cmdline; the full check looks for the `git commit` among as many) — all
# NUL-separated, so one `grep -l -z` reads them all and names the files that matched.
# Every ancestor, not only git: an argument `--am…` (or `CLAUDECODE=1`, as `env` takes
# it) anywhere above only costs the full check. Elsewhere `env`, and no argv (the full
# check cannot see it there either).
cleanroom_env_seen() {
  _cr_envn=
  if [ -r "/proc/$$/environ" ]; then
    _cr_argv=
    _cr_pid=$PPID
    _cr_i=0
    while [ "$_cr_i" -lt 6 ] && [ "$_cr_pid" -gt 1 ] 2>/dev/null; do
      _cr_argv="$_cr_argv /proc/$_cr_pid/cmdline"
      [ -r "/proc/$_cr_pid/stat" ] || break
      # The parent's pid from /proc/PID/stat, "PID (COMM) STATE PPID …", with builtins: the
      # command name may hold spaces, ")" and even a newline, so read every line and cut
      # after the last ") ". An unreadable stat ends the walk (grep then reports the
      # missing cmdline too: the full check runs).
      _cr_stat=
      while IFS= read -r _cr_line || [ -n "$_cr_line" ]; do
        _cr_stat="$_cr_stat $_cr_line"
        _cr_line=
      done < "/proc/$_cr_pid/stat" || break
      _cr_stat=${_cr_stat##*) }
      _cr_stat=${_cr_stat#* }
      _cr_pid=${_cr_stat%% *}
      _cr_i=$((_cr_i + 1))
    done
    # -c -H: each file's count of matching records, named (prepare-commit-msg reuses the
    # environment's as its count of agent variables, _cr_envn; an entry `--am…` there only
    # counts one too many, which takes Node).
    # shellcheck disable=SC2086 # /proc/N/cmdline paths: no spaces, no globs
    _cr_hits=$(LC_ALL=C grep -c -H -z -e '^--am' -f "$1" "/proc/$$/environ" $_cr_argv 2>/dev/null)
    case $? in 0 | 1) ;; *) return 1 ;; esac
    # shellcheck disable=SC2086 # split at the newlines: "/proc/N/FILE:COUNT", no spaces
    for _cr_l in $_cr_hits; do
      case $_cr_l in
        "/proc/$$/environ:"*) _cr_envn=${_cr_l#"/proc/$$/environ:"} ;;
        /proc/*/cmdline:0) ;;
        *) return 1 ;;
      esac
    done
    case $_cr_envn in
      "" | *[!0-9]*) _cr_envn= ; return 1 ;;
      0) _cr_seen=none ;;
      *) _cr_seen=agent ;;
    esac
    return 0
  fi
  env | LC_ALL=C grep -q -f "$1" 2>/dev/null
  case $? in
    1) _cr_seen=none ;;
    0) _cr_seen=agent ;;
    *) return 1 ;;
  esac
}

# cleanroom_env_noted: 0, with _cr_seen set, when prepare-commit-msg of this same `git
# commit` (the git process that runs this hook, by pid and start time: the hook shims'
# parent) left what cleanroom_env_seen found there in .git/cleanroom/fastpath.env: the
# same environment (git gives both hooks its own) and the same ancestors' arguments. No
# grep. The note is the user's own regular file, trusted as the other notes are (whoever
# can write it can write a zones note that matches nothing); any other process, a note
# that is missing, a link, or unreadable: 1, and the grep runs.
cleanroom_env_noted() {
  _cr_en=.git/cleanroom/fastpath.env
  [ -f "$_cr_en" ] && [ -O "$_cr_en" ] && [ ! -L "$_cr_en" ] || return 1
  cleanroom_proc_start "$PPID" || return 1
  _cr_a=
  _cr_b=
  { IFS= read -r _cr_a && IFS= read -r _cr_b; } < "$_cr_en" || return 1
  [ "$_cr_a" = "git $PPID $_cr_start" ] || return 1
  case $_cr_b in
    none | agent) _cr_seen=$_cr_b ;;
    *) return 1 ;;
  esac
}

# cleanroom_env_has_no_agent PATTERNS: 0 when cleanroom_env_seen finds nothing at all.
cleanroom_env_has_no_agent() {
  cleanroom_env_seen "$1" && [ "$_cr_seen" = none ]
}

# cleanroom_no_zone_path NOTE: 0 when no staged path can be in any zone of the policy, so the
# full check — whatever signals the commit carries — finds nothing (every finding is a
# staged file in a zone: src/core/evaluate.ts). For an agent's session, or a repository
# with a ledger, which otherwise start Node for every commit (issue 14); with a ledger,
# prepare-commit-msg has already started Node for its Assisted-by trailers, so a commit
# starts it once. It over-approximates:
#   - the zones are the literal beginnings of the policy's globs (`evals/tasks/**` →
#     `^evals/tasks`; a glob with no plain beginning, `**/*.jsonl`, gives `^`, which
#     matches every path), written by the full check after the policy's sha256 and
#     `zones-v1` in NOTE, .git/cleanroom/fastpath.zones (src/cli/hook.ts
#     zonePrefixPatterns; those two lines are patterns too, matching no real path), matched against every
#     staged path (deletions and both sides of a move included) case-insensitively; any
#     byte outside printable ASCII in a path (NFC, case folding) counts as a zone path;
#   - the index holds no symlink and no gitlink (content staged at a link's target is
#     judged at the linked path too; a submodule at `evals` is judged by every zone under
#     it) other than exactly those the full check last recorded under this policy, and no
#     staged path is one of them or at or under a symlink's target (cleanroom_known_links:
#     the note's guard patterns join the zone patterns); the entries' modes are read from
#     the index file itself. A symlink's mode is stored as the four bytes 00 00 A0 00 (0120000,
#     big-endian, in every index version), a gitlink's as 00 00 E0 00 (0160000), so they
#     are in the file whenever one is in the index — and elsewhere only by chance: then
#     the count is too high and the full check runs. `grep -P` (GNU) reads bytes; where
#     it is missing, grep fails and the full check runs. A split index (its entries are in
#     sharedindex.*) or a sparse one (`sdir`: a directory entry hides the links under it)
#     takes the full check.
# 5 processes: git diff-index (in a subshell that adds a marker line if git fails: a
# pipeline's status is grep's), grep of the paths, two greps of the index
# (cleanroom_index_links); with links, one git ls-files more.
cleanroom_no_zone_path() {
  cleanroom_index_links || return 1
  _cr_guard=
  [ -z "$_cr_modes" ] || cleanroom_known_links "$_cr_modes" || return 1
  # --no-replace-objects: as every git call of the full check (src/git/git.ts), HEAD's
  # tree is the one in the commit, not one a replace ref (refs/replace/, or any
  # GIT_REPLACE_REF_BASE) stands in for. --ignore-submodules=none: as src/git/git.ts
  # SHOW_GITLINKS, a gitlink `ignore = all` hides is listed too.
  { git --no-replace-objects diff-index --cached --name-only -z --ignore-submodules=none HEAD -- 2>/dev/null || printf '%s\n' 'cleanroom: diff-index failed'; } |
    LC_ALL=C grep -q -a -z -i -e '[^ -~]' -e 'cleanroom: diff-index failed' -f "$1" ${_cr_guard:+-f "$_cr_guard"} 2>/dev/null
  [ $? -eq 1 ]
}

# cleanroom_index_links: sets _cr_modes to one line "OFFSET:<byte>" per link mode in the
# index file (empty: no symlink, no gitlink) and returns 0; returns 1 when the file cannot
# tell: a split index (its entries are in sharedindex.*), a sparse one (`sdir`), no index
# file, or no `grep -P`. Two greps, one pattern each (an alternation makes PCRE scan the
# 4 MB of a 50,000-entry index byte by byte, ~4x slower); \K and the lookahead print one
# byte, never a NUL, and let overlapping ones count.
cleanroom_index_links() {
  for _cr_f in .git/sharedindex.*; do [ -e "$_cr_f" ] && return 1; done
  _cr_index=${GIT_INDEX_FILE:-.git/index}
  [ -f "$_cr_index" ] || return 1
  LC_ALL=C grep -q -a -P -e 'sdir' -- "$_cr_index" 2>/dev/null
  [ $? -eq 1 ] || return 1
  { _cr_modes=$(LC_ALL=C grep -o -b -a -P -e '\x00\x00\K[\xa0\xe0](?=\x00)' -- "$_cr_index" 2>/dev/null); } 2>/dev/null
  case $? in
    0 | 1) return 0 ;;
    *) return 1 ;;
  esac
}

# cleanroom_count_lines TEXT: sets _cr_n to the number of lines of TEXT (0 when empty).
cleanroom_count_lines() {
  _cr_n=0
  [ -n "$1" ] || return 0
  while IFS= read -r _cr_l; do _cr_n=$((_cr_n + 1)); done <<_cr_lines_
$1
_cr_lines_
}

# cleanroom_known_links MODES: 0 when the index's links are exactly the ones the full check
# recorded under this policy in .git/cleanroom/fastpath.links (src/cli/fastpath-links.ts),
# and sets _cr_guard to that note: its last lines are grep patterns for the staged paths
# (each link's path, each symlink's resolved target and everything under it: a staged
# path there is what the full check would see through a link). The note names the
# policy's sha256 (as read into _cr_have), `links-v1`, `links N`, then one `git ls-files
# -s` line per link (MODE OID 0<TAB>PATH, printable ASCII), then the patterns; as
# patterns, the header and entry lines match no real path. MODES (one line per link mode
# found in the index file) must count exactly N, and `git ls-files -s` of their paths
# must print exactly those lines: every link of the index is then one of them (each has
# its mode in the file, and there are no more). Any other link, a changed target or
# submodule commit, a conflict stage, a note for another policy text or not this user's
# own regular file: 1, the full check (which writes it again).
cleanroom_known_links() {
  _cr_ln=.git/cleanroom/fastpath.links
  [ -f "$_cr_ln" ] && [ -r "$_cr_ln" ] && [ -O "$_cr_ln" ] && [ ! -L "$_cr_ln" ] || return 1
  cleanroom_count_lines "$1"
  set --
  _cr_want=
  {
    IFS= read -r _cr_l && [ "$_cr_l" = "${_cr_have%% *}" ] || return 1
    IFS= read -r _cr_l && [ "$_cr_l" = links-v1 ] || return 1
    IFS= read -r _cr_l && [ "$_cr_l" = "links $_cr_n" ] || return 1
    while [ "$#" -lt "$_cr_n" ] && IFS= read -r _cr_l; do
      case $_cr_l in
        1[26]0000\ *\ 0"	"?*) ;;
        *) return 1 ;;
      esac
      set -- "$@" ":(literal)${_cr_l#*	}"
      _cr_want="$_cr_want$_cr_l
"
    done
  } < "$_cr_ln"
  [ "$#" = "$_cr_n" ] || return 1
  _cr_got=$(git ls-files -s -- "$@" 2>/dev/null) || return 1
  [ "$_cr_got
" = "$_cr_want" ] || return 1
  _cr_guard=$_cr_ln
}

# cleanroom_ledger_no_match: prepare-commit-msg's fast path with an agent ledger (issue
# 14 §1). 0 only when it has shown, without Node, what Node's prepare-commit-msg would
# find: no ledger entry for the staged content (its Assisted-by lookup: every staged blob
# id and every line hash of the staged text, looked up in the ledger's key log by
# hooks/lib/ledger-fast.pl, which fails on any doubt) and nothing its deny-zone heads-up
# could be about (no staged path can be in a zone: the zone path's test, the same notes,
# the same links). The hook then writes the agent environment's trailers in shell, as
# without a ledger. The conditions are the zone path's: the work tree's policy,
# unchanged since the full check noted it (`fastpath.zones`), no merge, cherry-pick,
# revert, rebase or `--amend` under way (the amend probe of cleanroom_env_seen; a stale
# `cleanroom/amending` note is Node's to remove). `perl` missing, the key log absent,
# stale, corrupt or not this user's own: 1, and Node looks the ledger up in full (then
# rebuilds the key log). Processes: the env grep, sha256sum, two greps of the index
# file, perl (with git diff-index, stat, git cat-file) and one grep of the paths.
# cleanroom_zone_key: sets _cr_key to everything the zone path's answer depends on: the
# policy file, the zones note, the links note and the index file (GIT_INDEX_FILE
# honoured), each as `stat` sees it (device, inode, size, mtime and ctime in ns, path: a
# write by anyone moves the ctime, which no user can set back), and HEAD's id. Taken
# before any of them is read. One stat (HEAD: cleanroom_head_id), which also takes the
# ledger's identity for hooks/lib/ledger-fast.pl (a stat of its own there cost a process).
cleanroom_zone_key() {
  # One command in the substitution: the subshell execs stat, no fork more. Its status is
  # 1 when a file is missing (the links note, the ledger): the lines are checked instead.
  _cr_key=$(stat -c '%d %i %s %.9Y %.9Z %n' -- .cleanroom/policy.yaml .git/cleanroom/fastpath.zones "${GIT_INDEX_FILE:-.git/index}" .git/cleanroom/fastpath.links .git/cleanroom/ledger.jsonl 2>/dev/null)
  cleanroom_head_id || return 1
  # At least the policy, the zones note and the index, in that order, then HEAD.
  case $_cr_key in
    *" .cleanroom/policy.yaml
"*" .git/cleanroom/fastpath.zones
"*" ${GIT_INDEX_FILE:-.git/index}"*) ;;
    *) return 1 ;;
  esac
  # The git process that runs this hook (the shim's parent: git's hook file execs it), by
  # pid and start time: commit-msg takes the answer without asking about `--amend` again
  # only in the `git commit` whose prepare-commit-msg asked (cleanroom_no_ai_signal).
  cleanroom_proc_start "$PPID" || _cr_start=?
  _cr_key="$_cr_key
git $PPID $_cr_start
$_cr_h"
}

# cleanroom_proc_start PID: sets _cr_start to the process's start time (clock ticks after
# boot, field 22 of /proc/PID/stat, read with builtins): with the pid, it names one process
# (a pid is reused, its start time then differs). 1 where it cannot be read.
cleanroom_proc_start() {
  _cr_start=
  _cr_stat=
  { while IFS= read -r _cr_line || [ -n "$_cr_line" ]; do
    _cr_stat="$_cr_stat $_cr_line"
    _cr_line=
  done < "/proc/$1/stat"; } 2>/dev/null || return 1
  # After the command name's last ") ": the state, then field 4 on; the start time is the
  # twentieth of them. Kernel-made numbers and a state letter: no globs.
  # shellcheck disable=SC2086
  set -- ${_cr_stat##*) }
  [ "$#" -ge 20 ] || return 1
  shift 19
  case $1 in "" | *[!0-9]*) return 1 ;; esac
  _cr_start=$1
}

# cleanroom_head_id: sets _cr_h to HEAD's id, read with builtins where git keeps it in a
# file of its own (a detached HEAD; a branch's loose ref, which wins over packed-refs), else
# from `git rev-parse` (packed refs, reftable, an unborn branch: it fails, and so does
# this). Only ever compared with itself (cleanroom_zone_key): the same id, the same tree.
cleanroom_head_id() {
  _cr_h=
  { IFS= read -r _cr_h < .git/HEAD; } 2>/dev/null || _cr_h=
  case $_cr_h in
    "ref: refs/heads/"*)
      _cr_r=${_cr_h#ref: }
      _cr_h=
      case $_cr_r in *..* | *" "* | *"\\"*) ;; *) { IFS= read -r _cr_h < ".git/$_cr_r"; } 2>/dev/null || _cr_h= ;; esac
      ;;
  esac
  case $_cr_h in
    "" | *[!0-9a-f]*) _cr_h=$(git rev-parse -q --verify HEAD) && [ -n "$_cr_h" ] ;;
  esac
}

# cleanroom_zone_seen: 0 when `.git/cleanroom/fastpath.staged` holds this commit's
# cleanroom_zone_key and "no zone": prepare-commit-msg's ledger fast path found, for
# exactly these inputs, what the zone path would (it writes the file only then). The
# file is the user's own regular file, like the notes, and trusted as they are.
cleanroom_zone_seen() {
  _cr_st=.git/cleanroom/fastpath.staged
  [ -f "$_cr_st" ] && [ -O "$_cr_st" ] && [ ! -L "$_cr_st" ] || return 1
  cleanroom_zone_key || return 1
  _cr_got=
  while IFS= read -r _cr_l; do _cr_got="$_cr_got$_cr_l
"; done < "$_cr_st"
  [ "$_cr_got" = "$_cr_key
no zone
" ]
}

cleanroom_ledger_no_match() {
  _cr_dist="${0%/*}/../dist"
  _cr_pl="${0%/*}/lib/ledger-fast.pl"
  [ -z "${CLEANROOM_POLICY-}" ] && [ -z "${GIT_DIR-}" ] && [ -d .git ] && [ -f .cleanroom/policy.yaml ] || return 1
  [ -r "$_cr_pl" ] && [ -r "$_cr_dist/no-ai-signal.env" ] || return 1
  for _cr_f in MERGE_HEAD CHERRY_PICK_HEAD REVERT_HEAD rebase-merge rebase-apply cleanroom/amending; do
    [ -e ".git/$_cr_f" ] && return 1
  done
  cleanroom_env_seen "$_cr_dist/no-ai-signal.env" || return 1
  _cr_note=.git/cleanroom/fastpath.zones
  [ -f "$_cr_note" ] && [ -r "$_cr_note" ] && [ -O "$_cr_note" ] && [ ! -L "$_cr_note" ] || return 1
  # The key of what is about to be read, for commit-msg (cleanroom_zone_seen), and the
  # ledger's identity in it (its line, without the path), for perl.
  cleanroom_zone_key || return 1
  case $_cr_key in *" .git/cleanroom/ledger.jsonl
"*) ;; *) return 1 ;; esac
  _cr_lid=${_cr_key%%" .git/cleanroom/ledger.jsonl
"*}
  _cr_lid=${_cr_lid##*"
"}
  _cr_want=
  _cr_form=
  { read -r _cr_want && read -r _cr_form; } < "$_cr_note"
  [ -n "$_cr_want" ] && [ "$_cr_form" = zones-v1 ] || return 1
  # The policy's sha256 is checked by perl (Digest::SHA, loaded there anyway: no
  # sha256sum process); the links note must name the same text as the zones note.
  case $_cr_want in *[!0-9a-f]*) return 1 ;; esac
  _cr_have=$_cr_want
  cleanroom_index_links || return 1
  _cr_guard=
  [ -z "$_cr_modes" ] || cleanroom_known_links "$_cr_modes" || return 1
  # perl prints the staged paths only when the ledger has nothing for them; else a marker
  # that the grep takes as a match (a pipeline's status is grep's), as the zone path does.
  # Without the caller's perl settings (unset in the pipeline's own subshell), as
  # run-node.sh drops NODE_OPTIONS: an agent's shell that sets PERL5OPT='-M5;exit(0)' or a
  # PERL5LIB with its own XSLoader.pm runs its code inside the check ("no match, nothing
  # staged"), and commit-msg then reuses that "no zone". PERLIO, PERL_UNICODE: the layers
  # on the handles perl reads git's answers from and prints the paths to.
  { unset PERL5OPT PERL5LIB PERLLIB PERL5DB PERL5DB_THREADED PERLIO PERLIO_DEBUG PERL_UNICODE PERL_ENCODING PERL_USE_UNSAFE_INC PERL_SIGNALS PERL_MEM_LOG PERL_DESTRUCT_LEVEL PERL_DL_NONLAZY
    perl -- "$_cr_pl" .git/cleanroom "$_cr_lid" "$1" "$_cr_want" 2>/dev/null || printf '%s\n' 'cleanroom: ledger fast path failed'; } |
    LC_ALL=C grep -q -a -z -i -e '[^ -~]' -e 'cleanroom: ledger fast path failed' -f "$_cr_note" ${_cr_guard:+-f "$_cr_guard"} 2>/dev/null
  [ $? -eq 1 ] || return 1
  # For commit-msg's zone path (cleanroom_no_zone_path): the same question, answered for
  # these inputs. Written only now, after the answer; a link put there is not followed.
  [ ! -L .git/cleanroom/fastpath.staged ] && printf '%s\nno zone\n' "$_cr_key" > .git/cleanroom/fastpath.staged 2>/dev/null
  return 0
}
