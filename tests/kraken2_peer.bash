# The current Kraken 2 source (../shared/peers/kraken2) built with its own install script, once
# per source version, into ${XDG_CACHE_HOME:-~/.cache}/gutbrain/kraken2-peer-<key>/inst (about a
# minute on 2 cores), never into the repository. Sourced by tests/integration/kraken2_db40.sh
# and benchmarks/k2db_speed.sh.
#
# kraken2_peer_build SRC LOG: sets K2PEER to the install directory (kraken2, k2, ...); returns
# non-zero, with the build log in LOG, when the build fails.
kraken2_peer_build() {
  local src=$1 log=$2 key
  key=$(cd "$src" && { cat VERSION; find src scripts -type f | sort | xargs md5sum; } | md5sum | cut -c1-12)
  local dir=${XDG_CACHE_HOME:-$HOME/.cache}/gutbrain/kraken2-peer-$key
  K2PEER=$dir/inst
  [ -x "$K2PEER/kraken2" ] && return 0
  rm -rf "$dir" && mkdir -p "$dir"
  cp -r "$src" "$dir/src"
  if ! (cd "$dir/src" && ./install_kraken2.sh "$K2PEER") >"$log" 2>&1; then
    rm -rf "$dir"
    return 1
  fi
}
