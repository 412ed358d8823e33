#!/bin/bash
# Interleaved CPU (user+sys, children: /usr/bin/time) of two builds on the complete Aider
# copy (bench/aider.mjs builds it): pre-receive of `main` as a new branch (typical policy)
# and audit (one `**` deny zone, then the typical policy), each round beside the anchor
# `git log --raw -M`. Prints one line per command: LABEL USER SYS WALL.
# Usage: bench/aider-compare.sh BASE_DIST NEW_DIST [ROUNDS]   (e.g. /tmp/base/dist dist 5)
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
printf 'version: 1\nrepository: github.com/Aider-AI/aider\nzones:\n  - { name: benchmark, paths: ["benchmark/**"], ai: deny }\n  - { name: tests, paths: ["tests/**"], ai: review }\n' > "$W/typical.yaml"
printf 'version: 1\nrepository: github.com/Aider-AI/aider\nzones:\n  - { name: everything, paths: ["**"], ai: deny }\n' > "$W/everything.yaml"
t() { local label=$1; shift; /usr/bin/time -o "$W/t" -f "$label %U %S %e" "$@" > /dev/null 2>&1 || true; tail -1 "$W/t"; }
LOG=(log --raw -M --no-abbrev '--format=%H%n%an <%ae>%n%cn <%ce>%n%B')
for _ in $(seq "$N"); do
  cd "$W/srv.git"
  t anchor-pr git "${LOG[@]}" "$TIP"
  t base-pr node "$B/cleanroom.cjs" pre-receive --deadline 600 --policy "$W/typical.yaml" < "$W/push.in"
  t new-pr node "$I/cleanroom.cjs" pre-receive --deadline 600 --policy "$W/typical.yaml" < "$W/push.in"
  cd "$COPY"
  t anchor-au git "${LOG[@]}" main
  for p in everything typical; do
    t "base-au-$p" node "$B/cleanroom.cjs" audit --policy "$W/$p.yaml" --format json --output "$W/a.json"
    t "new-au-$p" node "$I/cleanroom.cjs" audit --policy "$W/$p.yaml" --format json --output "$W/a.json"
  done
done
