// SHA-256: the one digest every part of the registry names things by (journal hashes, list
// content digests, archived versions, ETags, auditor tokens). The only code that computes one.
#pragma once

#include <array>
#include <initializer_list>
#include <string>
#include <string_view>

namespace medmij {

using Sha256Digest = std::array<unsigned char, 32>;

// SHA-256 of the concatenation of `parts`, as bytes.
Sha256Digest Sha256(std::initializer_list<std::string_view> parts);
inline Sha256Digest Sha256(std::string_view bytes) {
  return Sha256({bytes});
}

// Hex SHA-256 of the concatenation of `parts` (64 characters).
std::string Sha256Hex(std::initializer_list<std::string_view> parts);
inline std::string Sha256Hex(std::string_view bytes) {
  return Sha256Hex({bytes});
}

}  // namespace medmij
