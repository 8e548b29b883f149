// The independent check of the registry's transparency log (issue 11, item 7): Go's own
// golang.org/x/mod/sumdb/note and sumdb/tlog, built offline from Debian's source tree
// (golang-golang-x-mod-dev).
module medmij.invalid/tlogcheck

go 1.19

require golang.org/x/mod v0.7.0

replace golang.org/x/mod => /usr/share/gocode/src/golang.org/x/mod
