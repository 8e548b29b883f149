// Standard base64 (RFC 4648 section 4, with padding), as the transparency log's formats use it
// (C2SP signed-note, tlog-checkpoint). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace medmij {

std::string Base64Encode(std::string_view bytes);

// The decoded bytes, or nullopt unless `text` is canonical base64: only the standard alphabet,
// a length that is a multiple of 4, padding only at the end, and zero bits where the last
// character holds fewer than 6 (so every byte string has exactly one accepted encoding).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace medmij
