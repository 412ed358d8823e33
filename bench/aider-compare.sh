#!/bin/bash
# Interleaved CPU (user+sys, children: /usr/bin/time) of two builds on the complete Aider
# copy (bench/aider.mjs builds it): pre-receive of `main` as a new branch (typical policy)
# and audit (one `**` deny zone, then the typical policy), each round beside the anchor
# `git log --raw -M`. Prints one line per command: LABEL USER SYS WALL.
# Usage: bench/aider-compare.sh BASE_DIST NEW_DIST [ROUNDS]   (e.g. /tmp/base/dist dist 5)
# AIDER_LOADER=1 runs each build as its hooks do, through dist/cleanroom-cached.cjs (V8's
# code cache, each build in a cache directory of its own; the loader also raises V8's
# interrupt budget in a long run): the figures then include what the loader does.
# AIDER_QUARANTINE=1 runs each pre-receive as receive-pack does: the pushed objects in a
# quarantine directory of their own (GIT_QUARANTINE_PATH, GIT_OBJECT_DIRECTORY), the
# server's store (empty of them) as the alternate; else the objects are in the store,
# unreferenced, and the hook runs as by hand (no quarantine). AIDER_SKIP_AUDIT=1: the
# pre-receive rows only.
set -eu
unset NODE_EXTRA_CA_CERTS
B=$(cd "$1" && pwd); I=$(cd "$2" && pwd); N=${3:-5}
COPY=${AIDER_COMPLETE:-/tmp/cleanroom-bench-aider-complete.git}
[ -d "$COPY" ] || { echo "no Aider copy at $COPY: run BENCH_QUICK=1 node bench/run.mjs real first" >&2; exit 2; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
git clone -q --bare --no-local "$COPY" "$W/srv.git"
TIP=$(git -C "$W/srv.git" rev-parse main)
git -C "$W/srv.git" update-ref -d refs/heads/main
echo "0000000000000000000000000000000000000000 $TIP refs/heads/main" > "$W/push.in"
PR_ENV=()
if [ "${AIDER_QUARANTINE:-}" = 1 ]; then
  mkdir -p "$W/incoming/pack"
  git -C "$W/srv.git" pack-objects -q --revs "$W/incoming/pack/pack" <<< "$TIP" > /dev/null
  rm -rf "$W/srv.git/objects/pack" "$W/srv.git/objects"/??
  mkdir "$W/srv.git/objects/pack"
  PR_ENV=(GIT_QUARANTINE_PATH="$W/incoming" GIT_OBJECT_DIRECTORY="$W/incoming" GIT_ALTERNATE_OBJECT_DIRECTORIES="$W/srv.git/objects")
fi
printf 'version: 1\nrepository: github.com/Aider-AI/aider\nzones:\n  - { name: benchmark, paths: ["benchmark/**"], ai: deny }\n  - { name: tests, paths: ["tests/**"], ai: review }\n' > "$W/typical.yaml"
printf 'version: 1\nrepository: github.com/Aider-AI/aider\nzones:\n  - { name: everything, paths: ["**"], ai: deny }\n' > "$W/everything.yaml"
MAIN=cleanroom.cjs
if [ "${AIDER_LOADER:-}" = 1 ]; then
  MAIN=cleanroom-cached.cjs
  mkdir -m 700 "$W/xdg-base" "$W/xdg-new"
fi
t() { local label=$1; shift; /usr/bin/time -o "$W/t" -f "$label %U %S %e" "$@" > /dev/null 2>&1 || true; tail -1 "$W/t"; }
LOG=(log --raw -M --no-abbrev '--format=%H%n%an <%ae>%n%cn <%ce>%n%B')
for _ in $(seq "$N"); do
  cd "$W/srv.git"
  t anchor-pr env "${PR_ENV[@]}" git "${LOG[@]}" "$TIP"
  t base-pr env "${PR_ENV[@]}" XDG_CACHE_HOME="$W/xdg-base" node "$B/$MAIN" pre-receive --deadline 600 --policy "$W/typical.yaml" < "$W/push.in"
  t new-pr env "${PR_ENV[@]}" XDG_CACHE_HOME="$W/xdg-new" node "$I/$MAIN" pre-receive --deadline 600 --policy "$W/typical.yaml" < "$W/push.in"
  [ "${AIDER_SKIP_AUDIT:-}" = 1 ] && continue
  cd "$COPY"
  t anchor-au git "${LOG[@]}" main
  for p in everything typical; do
    t "base-au-$p" env XDG_CACHE_HOME="$W/xdg-base" node "$B/$MAIN" audit --policy "$W/$p.yaml" --format json --output "$W/a.json"
    t "new-au-$p" env XDG_CACHE_HOME="$W/xdg-new" node "$I/$MAIN" audit --policy "$W/$p.yaml" --format json --output "$W/a.json"
  done
done
