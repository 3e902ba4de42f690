#!/usr/bin/env bash
# Fails when a module includes a library that belongs to another floor (docs/ARCHITECTURE.md):
# libpqxx, FAISS and Xapian only in store/, cpprestsdk's HTTP listener only in server/.
set -u
root="${1:-.}"
cd "$root" || exit 2
status=0
check() { # $1 = include regex, $2 = the only top-level folder allowed to use it
  local hits
  hits=$(grep -rlE "#include *[<\"]($1)" --include='*.cpp' --include='*.h' --include='*.hpp' \
           core store engine crawler indexer retriever server 2>/dev/null | grep -v "^$2/")
  if [ -n "$hits" ]; then
    echo "layering: '$1' included outside $2/:"; echo "$hits" | sed 's/^/  /'
    status=1
  fi
}
check 'pqxx/' store
check 'faiss/' store
check 'xapian' store
check 'cpprest/' server
# A lower module must not include a higher one.
lower_than() { # $1 = module, rest = modules it may not include
  local module=$1; shift
  for higher in "$@"; do
    if grep -rqE "#include *[<\"]wissen/$higher/" "$module" 2>/dev/null; then
      echo "layering: $module/ includes wissen/$higher/"; status=1
    fi
  done
}
lower_than core store engine crawler indexer retriever server
lower_than store engine crawler indexer retriever server
lower_than engine store crawler indexer retriever server
lower_than crawler engine indexer retriever server
lower_than indexer crawler retriever server
lower_than retriever crawler indexer server
[ $status -eq 0 ] && echo "layering: ok"
exit $status
