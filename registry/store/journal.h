// The journal's encoding and hash chain. Private to registry/store.
//
// Storage: the `journal` table maps an 8-byte big-endian seq (1, 2, 3, ...; byte order equals
// numeric order, so LMDB iterates in seq order) to the event's canonical encoding.
//
// Canonical encoding of an event: nlohmann::json(JournalEvent).dump() with default arguments -
// compact, keys sorted (nlohmann objects are ordered maps), UTF-8 unescaped, integers only:
//   {"changes":[{"after":{...},"before":{...},"key":"acme","table":"participants"},...],
//    "hash":"<64 hex>",
//    "meta":{"at":"2026-11-22T10:00:00.000Z","command":"...","operator":"...","reason":"...",
//            "subject":"..."},
//    "prev_hash":"<64 hex>","seq":17}
// `before`/`after` are the records' canonical JSON as values (not strings), so the dump of a
// change's `after` is byte for byte the stored record; they are omitted for a create/erase. For
// list_bytes they are {"sha256":"<hex>","size":n}. Changes appear in the order the transaction
// made them.
//
// Hash: hash = lowercase hex SHA-256 of (prev_hash as its 64 ASCII hex characters, immediately
// followed by the canonical encoding of the event WITHOUT its "hash" field). The first event's
// prev_hash is 64 '0' characters; every later event's prev_hash is the previous event's hash.
// The `meta` table keeps the head {"hash","seq"} of the last committed event so that removing
// events from the end is detected as well.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "registry/store/store.h"

namespace medmij::store::journal {

inline const std::string kGenesisHash(64, '0');

// 8-byte big-endian key of `seq`, and back (nullopt unless exactly 8 bytes).
std::string SeqKey(uint64_t seq);
std::optional<uint64_t> ParseSeqKey(std::string_view key);

// The canonical encoding of `ev` without its hash field.
std::string EncodeBody(const JournalEvent& ev);
// SHA-256 hex of prev_hash followed by `body`.
std::string ChainHash(std::string_view prev_hash, std::string_view body);

// Sets ev.hash from ev.prev_hash and the body; returns the bytes to store.
std::string Seal(JournalEvent& ev);

// Decodes stored bytes. Throws nlohmann::json::exception (parse error or JsonDecodeError).
JournalEvent Decode(std::string_view stored);

}  // namespace medmij::store::journal
