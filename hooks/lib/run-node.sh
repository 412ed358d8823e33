# cleanroom: the one way a local hook shim starts Node (sourced by hooks/*; POSIX sh).
#   cleanroom_run_node HOOK [ARGS...]  execs `node dist/cleanroom.cjs hook HOOK ARGS...`,
#   or prints why it cannot and exits 1 (the commit or push stops: fail closed).
# $0 is the shim itself, so the bundle is found beside it whatever the hook manager is.
cleanroom_run_node() {
  _cr_hook=$1
  shift
  # Outside a terminal (a GUI client, an IDE) git runs hooks without the shell profile that
  # puts node on PATH (nvm, fnm, asdf, Homebrew): say so, instead of "node: not found".
  command -v node >/dev/null 2>&1 || {
    printf '%s\n' "cleanroom: cannot run the $_cr_hook check: node is not on the PATH this hook runs with" \
      "  PATH=$PATH" \
      "  Why: Git GUI clients and IDEs start hooks without your shell profile, where nvm/fnm/asdf/Homebrew add node." \
      "  Fix: make node visible to git (link it into /usr/local/bin, or for husky add it to ~/.config/husky/init.sh)," \
      "  or commit from a terminal. CLEANROOM=0 skips this hook (the server and CI still check)." >&2
    exit 1
  }
  [ -f "${0%/*}/../dist/cleanroom.cjs" ] || {
    printf '%s\n' "cleanroom: cannot run the $_cr_hook check: ${0%/*}/../dist/cleanroom.cjs is missing" \
      "  Why: cleanroom is used from a source checkout that was never built (dist/ is not in git except on release tags)." \
      "  Fix: use a release (npm install @cleanroom-dev/cleanroom, or a v* tag), or run npm ci && npm run build there." >&2
    exit 1
  }
  # NODE_OPTIONS comes from whoever ran git — an agent's shell too: `--require=x.js` would
  # run its code inside the check (process.exit(0)). cleanroom needs none of it, nor
  # NODE_EXTRA_CA_CERTS: the hooks make no TLS connection, and Node reads that CA file at
  # every start (~50-80 ms of CPU where it is set, as on many corporate machines).
  unset NODE_OPTIONS NODE_EXTRA_CA_CERTS
  # Only hooks/prepare-commit-msg sets it (for its heads-up), and only for itself.
  [ "$_cr_hook" = prepare-commit-msg ] || unset CLEANROOM_INDEX_LINKS
  # The code-cache loader beside the bundle, when the package ships it (src/build/build.mjs):
  # the bundle is then not compiled again on every hook (~20 ms of CPU per Node start).
  _cr_main="${0%/*}/../dist/cleanroom-cached.cjs"
  [ -f "$_cr_main" ] || _cr_main="${0%/*}/../dist/cleanroom.cjs"
  exec node "$_cr_main" hook "$_cr_hook" "$@"
}
