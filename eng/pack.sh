#!/usr/bin/env bash
# Packs every package under src/ (Release) into a local NuGet feed folder, until the packages are on nuget.org.
#
#   bash eng/pack.sh [FEED_DIR] [extra dotnet pack arguments]     FEED_DIR: artifacts/packages (git-ignored) by default
#
# Then point NuGet at FEED_DIR (README.md, "Install"). The packs are deterministic: ContinuousIntegrationBuild maps
# source paths to /_/, so no absolute path of this machine ends up in a DLL or a PDB (checked below), and every package
# goes through package validation. The build happens in a folder of its own (artifacts/pack-build, or
# $SVRNTY_PACK_BUILD_DIR inside the repository), so what an ordinary build left in bin/ and obj/ is never packed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
feed=${1:-$root/artifacts/packages}
[ $# -gt 0 ] && shift
mkdir -p "$feed"
feed=$(cd "$feed" && pwd)
build=${SVRNTY_PACK_BUILD_DIR:-$root/artifacts/pack-build}
mkdir -p "$build"
build=$(cd "$build" && pwd)
case "$build/" in
  "$root"/*) ;;
  *) echo "error: SVRNTY_PACK_BUILD_DIR must be inside $root, where the deterministic build maps paths to /_/" >&2; exit 2 ;;
esac

# Every project under src/ is a package; a solution filter lists them, so that one build packs them all.
mapfile -t projects < <(cd "$root" && ls src/*/*.csproj | sort)
filter="$build/packages.slnf"
{
  printf '{\n  "solution": {\n    "path": "%s",\n    "projects": [\n' "$root/Svrnty.CQRS.Events.sln"
  for i in "${!projects[@]}"; do
    printf '      "%s"%s\n' "${projects[$i]}" "$([ "$i" -lt $((${#projects[@]} - 1)) ] && echo ,)"
  done
  printf '    ]\n  }\n}\n'
} > "$filter"

echo "Packing ${#projects[@]} packages into $feed"
dotnet pack "$filter" --configuration Release --nologo --artifacts-path "$build" \
  -p:ContinuousIntegrationBuild=true -p:PackageOutputPath="$feed" "$@"

# What a local path looks like inside a package: whole in a DLL's PDB path and in source link data; in a portable PDB a
# document's path is stored as its parts, each prefixed with its length (/work/repo/src/A.cs: \x04work\x04repo\x03src...).
parts_pattern=""
IFS=/ read -ra parts <<< "${root#/}"
for part in "${parts[@]}"; do
  parts_pattern+=$(LC_ALL=C printf '\\x%02x\\Q%s\\E' "$(LC_ALL=C; echo ${#part})" "$part")
done
contains_local_path() {
  LC_ALL=C grep -a -q -F "$root/" "$1" || LC_ALL=C grep -a -q -P "$parts_pattern" "$1"
}

status=0
for project in "${projects[@]}"; do
  id=$(basename "$project" .csproj)
  package=$(ls "$feed/$id".[0-9]*.nupkg 2>/dev/null | grep -E "/$id\.[0-9][^/]*\.nupkg$" | sort -V | tail -n 1 || true)
  if [ -z "$package" ]; then
    echo "error: no package $id in $feed" >&2
    status=1
    continue
  fi
  # No absolute path of this checkout in what the package ships (source link, PDB paths, embedded sources).
  if command -v unzip >/dev/null 2>&1; then
    contents="$build/contents/$id"
    rm -rf "$contents" && mkdir -p "$contents"
    for file in "$package" "${package%.nupkg}.snupkg"; do
      [ -f "$file" ] && unzip -q -o "$file" -d "$contents" '*.dll' '*.pdb' 2>/dev/null || true
    done
    while IFS= read -r -d '' binary; do
      if contains_local_path "$binary"; then
        echo "error: ${binary#"$contents"/} of package $id contains the local path $root: the pack was not deterministic" >&2
        status=1
      fi
    done < <(find "$contents" -type f \( -name '*.dll' -o -name '*.pdb' \) -print0)
  fi
  echo "  $(basename "$package")"
done
command -v unzip >/dev/null 2>&1 || echo "note: unzip not found, so the packages were not searched for local paths" >&2
exit $status
