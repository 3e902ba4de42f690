#!/usr/bin/env bash
# Fails when docs/ARCHITECTURE.md names a repository path that does not exist, so the tour
# cannot drift from the code unnoticed after files move.
#
# A path is a backticked token outside fenced code blocks that either starts with a top-level
# folder and a '/' (`crawler/src/parse/pdf_parser.cpp`, `migrations/`), or is a top-level file
# name: CMakeLists.txt, .clang-format, .gitignore or an upper-case *.md (README.md). A trailing
# '/' and a ':line' suffix are ignored; tokens with '*' or '?' must match at least one file.
# Tokens with spaces or placeholders (<module>, {id}) are prose, not paths.
# Usage: check_doc_paths.sh [repo root, default .]
set -u
root="${1:-.}"
doc="$root/docs/ARCHITECTURE.md"
if [ ! -f "$doc" ]; then
  echo "doc paths: $doc not found"
  exit 2
fi
folders='core|store|engine|crawler|indexer|retriever|app|server|cli|migrations|tests|bench|docs|scripts|samples'

# Backticked tokens, skipping fenced code blocks. (The backticks are literal, not expansions.)
# shellcheck disable=SC2016
tokens=$(awk '/^[[:space:]]*```/ { fenced = !fenced; next } !fenced' "$doc" |
           grep -oE '`[^`]+`' | sed -E 's/^`//; s/`$//')

paths=()
while IFS= read -r token; do
  [ -z "$token" ] && continue
  case "$token" in *' '* | *'<'* | *'>'* | *'{'* | *'}'*) continue ;; esac
  path="${token%/}"
  path=$(printf '%s' "$path" | sed -E 's/:[0-9]+(-[0-9]+)?$//')
  if printf '%s' "$path" | grep -qE "^($folders)(/|$)" && [[ "$token" == */* ]]; then
    paths+=("$path")
  elif printf '%s' "$path" | grep -qE '^(CMakeLists\.txt|\.clang-format|\.gitignore|[A-Z][A-Z0-9_-]*\.md)$'; then
    paths+=("$path")
  fi
done <<< "$tokens"

missing=()
count=0
while IFS= read -r path; do
  [ -z "$path" ] && continue
  count=$((count + 1))
  case "$path" in
    *'*'* | *'?'*)
      compgen -G "$root/$path" > /dev/null || missing+=("$path") ;;
    *)
      [ -e "$root/$path" ] || missing+=("$path") ;;
  esac
done < <(printf '%s\n' "${paths[@]+"${paths[@]}"}" | sort -u)

if [ ${#missing[@]} -gt 0 ]; then
  echo "doc paths: docs/ARCHITECTURE.md names ${#missing[@]} path(s) that do not exist:"
  printf '  %s\n' "${missing[@]}"
  exit 1
fi
echo "doc paths: ok ($count paths)"
