// How an archived list version's bytes are stored in `list_bytes`.
//
// A version is archived whole (the signed XML as published), and the archive compactor
// (CompactArchive, store.h) later re-encodes every version but the newest of its list:
// - every 32nd version (volgnummer 1, 33, 65, ...) as a *keyframe*: the XML compressed with
//   zstd;
// - every other version as a *delta*: the XML compressed with zstd against the keyframe before
//   it as prefix, so a one-entry change of a 150 MB list costs a few hundred bytes to a few
//   hundred kilobytes, and any version is at most two decodes away.
// An encoded value starts with the four bytes "\0MMA", which no XML document does: a value
// without them is the XML itself, so data dirs of every schema read unchanged and no schema step
// is needed. The header is 22 bytes: "\0MMA", format 1 (1 byte), kind 'K' or 'D' (1 byte), the
// base volgnummer (8 bytes little-endian; 0 for a keyframe) and the decoded size (8 bytes
// little-endian); the rest of the value is one zstd frame with its content size and checksum.
// Versions are immutable: a re-encoding never changes the bytes a reader gets back (the
// compactor decodes every new encoding and compares it with the version's recorded sha256 before
// it replaces the whole value), and it appends no journal event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "registry/common/status.h"

namespace medmij::store::archive {

inline constexpr uint64_t kKeyframeInterval = 32;

enum class Kind : char { kKeyframe = 'K', kDelta = 'D' };

struct Header {
  Kind kind = Kind::kKeyframe;
  uint64_t base_volgnummer = 0;  // a delta's keyframe; 0 for a keyframe
  uint64_t decoded_size = 0;
};

// True when `stored` carries the encoded form's magic (else it is the XML itself).
bool IsEncoded(std::string_view stored);

// The header of an encoded value; an error naming what is wrong (never a crash) otherwise.
Result<Header> ParseHeader(std::string_view stored);

// The keyframe of `volgnummer`: the version its delta is taken against (itself for a keyframe).
uint64_t KeyframeOf(uint64_t volgnummer);

// Encodes `xml` as a keyframe, or as a delta against `base` (the whole bytes of version
// `base_volgnummer`).
Result<std::string> EncodeKeyframe(std::string_view xml);
Result<std::string> EncodeDelta(std::string_view xml, uint64_t base_volgnummer,
                                std::string_view base);

// The bytes an encoded value stands for. `base` is the whole bytes of the delta's base version
// (ignored for a keyframe). Fails on a damaged value (zstd's checksum, sizes, header).
Result<std::string> Decode(std::string_view stored, std::string_view base = {});

}  // namespace medmij::store::archive
