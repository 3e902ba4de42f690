#!/usr/bin/env bash
# Fails when a module includes what belongs to another floor (docs/ARCHITECTURE.md):
# libpqxx, FAISS and Xapian only in store/; cpprestsdk only in server/; no module includes
# one above it; cli/ reaches the server only through the public header that starts it.
set -u
root="${1:-.}"
cd "$root" || exit 2
modules=(core store engine crawler indexer retriever app server cli)
status=0
check() { # $1 = include regex, $2 = the only top-level folder allowed to use it
  local hits
  hits=$(grep -rlE "#include *[<\"]($1)" --include='*.cpp' --include='*.h' --include='*.hpp' \
           "${modules[@]}" bench tests 2>/dev/null | grep -v "^$2/")
  if [ -n "$hits" ]; then
    echo "layering: '$1' included outside $2/:"; echo "$hits" | sed 's/^/  /'
    status=1
  fi
}
check 'pqxx/' 'store\|tests/integration'
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
lower_than core store engine crawler indexer retriever app server cli
lower_than store engine crawler indexer retriever app server cli
lower_than engine store crawler indexer retriever app server cli
lower_than crawler engine indexer retriever app server cli
lower_than indexer crawler retriever app server cli
lower_than retriever crawler indexer app server cli
lower_than app server cli
lower_than server cli
lower_than bench server cli
# cli/ starts the server and nothing else of it.
server_includes=$(grep -rhoE "#include *[<\"]wissen/server/[^\">]+" cli 2>/dev/null |
                    sed -E 's/.*wissen\/server\///' | sort -u | grep -vx 'http_server.h')
if [ -n "$server_includes" ]; then
  echo "layering: cli/ includes server headers other than http_server.h: $server_includes"
  status=1
fi
[ $status -eq 0 ] && echo "layering: ok"
exit $status
