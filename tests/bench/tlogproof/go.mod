// The stock counterpart of the registry's tree in tlog_bench.sh: Go's golang.org/x/mod/sumdb/tlog,
// built offline from Debian's source tree (golang-golang-x-mod-dev), as tests/interop/tlogcheck.
module medmij.invalid/tlogproof

go 1.19

require golang.org/x/mod v0.7.0

replace golang.org/x/mod => /usr/share/gocode/src/golang.org/x/mod
