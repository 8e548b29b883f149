// tlogcheck verifies a medmij-registry transparency log with Go's own implementation of the
// formats (golang.org/x/mod/sumdb/note and sumdb/tlog), not the registry's code:
//
//	tlogcheck -url URL -vkey VKEY -token TOKEN [-old FILE] [-save FILE]
//
// It fetches URL/log/checkpoint and opens it with the verifier key; recomputes the root from the
// hash tiles (URL/log/tile/...) through tlog.TileHashReader, which authenticates every tile it
// reads against that root; proves every leaf's inclusion (tlog.ProveRecord, tlog.CheckRecord)
// with the record hash of the event bytes the auditor's entry bundles hold
// (URL/audit/log/tile/entries/...); and with -old, proves the saved older checkpoint (verified
// with the same key) consistent with the new one (tlog.ProveTree, tlog.CheckTree). -save writes
// the fetched checkpoint. Prints one line and exits 0 when all of it holds; otherwise prints the
// first failure on stderr and exits 1.
package main

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The C2SP tiles are Go's tiles of height 8.
const height = 8

type checkpoint struct {
	origin string
	tree   tlog.Tree
}

// openCheckpoint verifies a signed note and parses its C2SP tlog-checkpoint text (origin,
// decimal size, base64 root; extension lines allowed).
func openCheckpoint(msg []byte, verifier note.Verifier) (checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint signature: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return checkpoint{}, fmt.Errorf("checkpoint: not origin, size and root lines: %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("checkpoint: bad tree size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return checkpoint{}, fmt.Errorf("checkpoint: bad root hash %q", lines[2])
	}
	c := checkpoint{origin: lines[0], tree: tlog.Tree{N: size}}
	copy(c.tree.Hash[:], root)
	if c.origin != verifier.Name() {
		return checkpoint{}, fmt.Errorf("checkpoint: origin %q is not the key's name %q", c.origin, verifier.Name())
	}
	return c, nil
}

type client struct {
	base  string
	token string
}

func (c *client) get(path string, auth bool) ([]byte, error) {
	req, err := http.NewRequest("GET", c.base+path, nil)
	if err != nil {
		return nil, err
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// c2spPath is a tile's C2SP path: Go's Tile.Path() writes "tile/8/L/N..." with the height,
// which the C2SP paths leave out.
func c2spPath(t tlog.Tile) string {
	return "tile/" + strings.TrimPrefix(t.Path(), "tile/"+strconv.Itoa(height)+"/")
}

// tileReader fetches hash tiles over HTTP; tlog.TileHashReader checks them.
type tileReader struct{ c *client }

func (r tileReader) Height() int { return height }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		if t.H != height || t.L < 0 {
			return nil, fmt.Errorf("unexpected tile %v", t)
		}
		b, err := r.c.get("/log/"+c2spPath(t), false)
		if err != nil {
			return nil, err
		}
		if len(b) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, expected %d", c2spPath(t), len(b), t.W*tlog.HashSize)
		}
		data[i] = b
	}
	return data, nil
}

func (r tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// entries reads the stored event bytes of leaves [0, n) from the auditor's entry bundles:
// each a big-endian uint16 length and the bytes.
func entries(c *client, n int64) ([][]byte, error) {
	var out [][]byte
	for index := int64(0); index*256 < n; index++ {
		w := n - index*256
		if w > 256 {
			w = 256
		}
		t := tlog.Tile{H: height, L: 0, N: index, W: int(w)}
		path := "/audit/log/" + strings.Replace(c2spPath(t), "tile/0/", "tile/entries/", 1)
		b, err := c.get(path, true)
		if err != nil {
			return nil, err
		}
		for k := int64(0); k < w; k++ {
			if len(b) < 2 {
				return nil, fmt.Errorf("%s: truncated at entry %d", path, k)
			}
			size := int(b[0])<<8 | int(b[1])
			if len(b) < 2+size {
				return nil, fmt.Errorf("%s: entry %d truncated", path, k)
			}
			out = append(out, b[2:2+size])
			b = b[2+size:]
		}
		if len(b) != 0 {
			return nil, fmt.Errorf("%s: %d bytes after %d entries", path, len(b), w)
		}
	}
	return out, nil
}

func run() error {
	url := flag.String("url", "", "the registry's base URL")
	vkey := flag.String("vkey", "", "the log's verifier key (Go note form)")
	token := flag.String("token", "", "an auditor's bearer token (entry bundles)")
	old := flag.String("old", "", "an older checkpoint to prove consistent with the new one")
	save := flag.String("save", "", "where to write the fetched checkpoint")
	flag.Parse()
	if *url == "" || *vkey == "" || *token == "" || flag.NArg() != 0 {
		return errors.New("usage: tlogcheck -url URL -vkey VKEY -token TOKEN [-old FILE] [-save FILE]")
	}
	verifier, err := note.NewVerifier(*vkey)
	if err != nil {
		return fmt.Errorf("vkey: %v", err)
	}
	c := &client{base: strings.TrimSuffix(*url, "/"), token: *token}
	msg, err := c.get("/log/checkpoint", false)
	if err != nil {
		return err
	}
	latest, err := openCheckpoint(msg, verifier)
	if err != nil {
		return err
	}
	tree := latest.tree
	if tree.N == 0 {
		return errors.New("checkpoint: empty tree")
	}
	hashes := tlog.TileHashReader(tree, tileReader{c})
	root, err := tlog.TreeHash(tree.N, hashes)
	if err != nil {
		return fmt.Errorf("tree hash from tiles: %v", err)
	}
	if root != tree.Hash {
		return fmt.Errorf("the tiles give root %v, the checkpoint says %v", root, tree.Hash)
	}
	records, err := entries(c, tree.N)
	if err != nil {
		return err
	}
	for i, record := range records {
		proof, err := tlog.ProveRecord(tree.N, int64(i), hashes)
		if err != nil {
			return fmt.Errorf("leaf %d: proof: %v", i, err)
		}
		if err := tlog.CheckRecord(proof, tree.N, tree.Hash, int64(i), tlog.RecordHash(record)); err != nil {
			return fmt.Errorf("leaf %d (event %d): %v", i, i+1, err)
		}
	}
	summary := fmt.Sprintf("ok: %s tree %d root %v; %d leaves included", latest.origin, tree.N, tree.Hash, len(records))
	if *old != "" {
		oldMsg, err := os.ReadFile(*old)
		if err != nil {
			return err
		}
		before, err := openCheckpoint(oldMsg, verifier)
		if err != nil {
			return fmt.Errorf("%s: %v", *old, err)
		}
		if before.tree.N < 1 || before.tree.N > tree.N {
			return fmt.Errorf("%s: tree %d cannot precede tree %d", *old, before.tree.N, tree.N)
		}
		proof, err := tlog.ProveTree(tree.N, before.tree.N, hashes)
		if err != nil {
			return fmt.Errorf("consistency proof: %v", err)
		}
		if err := tlog.CheckTree(proof, tree.N, tree.Hash, before.tree.N, before.tree.Hash); err != nil {
			return fmt.Errorf("tree %d is not consistent with tree %d: %v", before.tree.N, tree.N, err)
		}
		summary += fmt.Sprintf("; consistent with tree %d", before.tree.N)
	}
	if *save != "" {
		if err := os.WriteFile(*save, msg, 0o644); err != nil {
			return err
		}
	}
	fmt.Println(summary)
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tlogcheck:", err)
		os.Exit(1)
	}
}
