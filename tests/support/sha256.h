// SHA-256 for tests, computed with OpenSSL's one-shot SHA256() and not with the registry's own
// helper (registry/common/sha256.h): tests check the registry's digests, ETags and journal
// hashes against a second implementation.
#pragma once

#include <string>
#include <string_view>

namespace medmij::testing {

// Lowercase hex.
std::string Sha256Hex(std::string_view bytes);

}  // namespace medmij::testing
