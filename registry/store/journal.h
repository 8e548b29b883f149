// The journal's encoding and hash chain. Private to registry/store.
//
// Storage: the `journal` table maps an 8-byte big-endian seq (1, 2, 3, ...; byte order equals
// numeric order, so LMDB iterates in seq order) to the event's canonical encoding.
//
// Stored bytes of an event (schema 2 on): written once, at append, as
// nlohmann::json(JournalEvent).dump() with default arguments - compact, keys sorted (nlohmann
// objects are ordered maps), UTF-8 unescaped, integers only - and never encoded again:
//   {"changes":[{"after":{...},"before":{...},"key":"acme","table":"participants"},...],
//    "meta":{"at":"2026-11-22T10:00:00.000Z","command":"...","operator":"...","reason":"...",
//            "subject":"..."},
//    "prev_hash":"<64 hex>","seq":17}
// `before`/`after` are the records' canonical JSON as values (not strings), so the dump of a
// change's `after` is byte for byte the stored record; they are omitted for a create/erase. For
// list_bytes they are {"sha256":"<hex>","size":n}. Changes appear in the order the transaction
// made them. tests/golden/journal/ pins these bytes for fixed events.
//
// Hash: hash = lowercase hex SHA-256 of (prev_hash as its 64 ASCII hex characters, immediately
// followed by the stored bytes exactly as they are in the table). The hash is not stored in the
// event: a reader computes it from the bytes it read, so verification never re-encodes and a
// change of JSON library cannot turn a stored event into "altered". The first event's prev_hash
// is 64 '0' characters; every later event's prev_hash is the previous event's hash. The `meta`
// table keeps the head {"hash","seq"} of the last committed event so that removing events from
// the end is detected as well.
//
// Schema 1 stored the same object with its "hash" field added (and re-encoded it to verify); the
// upgrade to schema 2 removes that field from every event whose schema-1 hash holds, which leaves
// every hash of the chain unchanged (schema.cc).
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

// SHA-256 hex of prev_hash followed by the stored bytes `stored`.
std::string ChainHash(std::string_view prev_hash, std::string_view stored);

// Encodes `ev` (its hash ignored) into the bytes to store and sets ev.hash from them.
// Throws nlohmann::json::exception when a value cannot be encoded (not UTF-8).
std::string Seal(JournalEvent& ev);

// Decodes stored bytes; ev.hash is computed from `stored` itself. Throws nlohmann::json::exception
// (parse error or JsonDecodeError).
JournalEvent Decode(std::string_view stored);

// Decode without throwing: nullopt when `stored` decodes (into `ev`), else the decoder's reason.
std::optional<std::string> TryDecode(std::string_view stored, JournalEvent& ev);

// An event's key for messages: its seq in decimal, or the key itself (made printable) when it
// is not a sequence key.
std::string KeyName(std::string_view key);

// The schema-2 bytes of a schema-1 stored event, or nullopt when `v1` is not the canonical
// schema-1 encoding of an event whose hash holds (such bytes are left as they are, for
// VerifyJournal to report).
std::optional<std::string> UpgradeFromSchema1(std::string_view v1);

}  // namespace medmij::store::journal
