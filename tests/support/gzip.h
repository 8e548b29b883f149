// gzip for tests: inflate what the service sends, with zlib directly (independent of
// registry/http/encoding.h, which only compresses).
#pragma once

#include <optional>
#include <string>

namespace medmij::testing {

// The bytes of the one gzip member `gz`, or nullopt when it is not exactly one whole member.
std::optional<std::string> Gunzip(const std::string& gz);

}  // namespace medmij::testing
