// tlogproof is the stock side of tlog_bench.sh: Go's own sumdb/tlog over the same leaves as the
// registry's tree, with its stored hashes in memory.
//
//	tlogproof -leaves FILE
//
// FILE holds every leaf (a 4-byte big-endian length and the bytes, as medmij-tlog-bench proofs
// --leaves writes them) and FILE.samples one "index old_size" line per proof. Prints
// "tree N S" (seconds to compute every stored hash, tlog.StoredHashes), "root HEX",
// "inclusion K S" (tlog.ProveRecord at size N) and "consistency K S" (tlog.ProveTree to N).
package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

type memory []tlog.Hash

func (m memory) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("stored hash %d of %d", x, len(m))
		}
		out[i] = m[x]
	}
	return out, nil
}

func run() error {
	if len(os.Args) != 3 || os.Args[1] != "-leaves" {
		return errors.New("usage: tlogproof -leaves FILE")
	}
	data, err := os.ReadFile(os.Args[2])
	if err != nil {
		return err
	}
	var leaves [][]byte
	for len(data) > 0 {
		if len(data) < 4 {
			return errors.New("leaves: truncated length")
		}
		size := int(data[0])<<24 | int(data[1])<<16 | int(data[2])<<8 | int(data[3])
		if len(data) < 4+size {
			return errors.New("leaves: truncated leaf")
		}
		leaves = append(leaves, data[4:4+size])
		data = data[4+size:]
	}
	n := int64(len(leaves))
	start := time.Now()
	var hashes memory
	for i, leaf := range leaves {
		h, err := tlog.StoredHashes(int64(i), leaf, hashes)
		if err != nil {
			return err
		}
		hashes = append(hashes, h...)
	}
	fmt.Printf("tree %d %.6f\n", n, time.Since(start).Seconds())
	root, err := tlog.TreeHash(n, hashes)
	if err != nil {
		return err
	}
	fmt.Printf("root %x\n", root[:])

	f, err := os.Open(os.Args[2] + ".samples")
	if err != nil {
		return err
	}
	defer f.Close()
	var index, old []int64
	in := bufio.NewScanner(f)
	for in.Scan() {
		var i, o int64
		if _, err := fmt.Sscanf(in.Text(), "%d %d", &i, &o); err != nil {
			return fmt.Errorf("samples: %v", err)
		}
		index, old = append(index, i), append(old, o)
	}
	start = time.Now()
	for _, i := range index {
		if _, err := tlog.ProveRecord(n, i, hashes); err != nil {
			return err
		}
	}
	fmt.Printf("inclusion %d %.6f\n", len(index), time.Since(start).Seconds())
	start = time.Now()
	for _, o := range old {
		if _, err := tlog.ProveTree(n, o, hashes); err != nil {
			return err
		}
	}
	fmt.Printf("consistency %d %.6f\n", len(old), time.Since(start).Seconds())
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tlogproof:", err)
		os.Exit(1)
	}
}
