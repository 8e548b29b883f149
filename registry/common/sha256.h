// SHA-256 as lowercase hex: the one digest every part of the registry names things by (journal
// hashes, list content digests, archived versions, ETags).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace medmij {

// Hex SHA-256 of the concatenation of `parts` (64 characters).
std::string Sha256Hex(std::initializer_list<std::string_view> parts);
inline std::string Sha256Hex(std::string_view bytes) {
  return Sha256Hex({bytes});
}

}  // namespace medmij
