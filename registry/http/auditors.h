// Auditor credentials of medmij-registry: the tokens file and bearer-token checks. No I/O apart
// from Load; unit-tested on their own.
//
// Tokens file ([auditors] tokens_file): one auditor per line, `NAME:SHA256HEX`, where SHA256HEX is
// the lowercase (or uppercase) hex SHA-256 of the auditor's bearer token, so the file never holds
// a usable secret. NAME is 1-64 of [A-Za-z0-9._@-] and unique. Blank lines and lines starting
// with '#' are ignored; surrounding spaces are trimmed. Create one entry with
//   printf '%s' "$TOKEN" | sha256sum | sed "s/ .*//; s/^/alice:/"
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/status.h"

namespace medmij::http {

class AuditorTokens {
 public:
  // Parses the file's text. Errors (kInvalidArgument) are one line naming `origin` and the line
  // number: "auditors: line 3: expected NAME:SHA256HEX". A file without any entry is refused.
  static Result<AuditorTokens> Parse(std::string_view text, const std::string& origin);

  // Reads and parses `file`. Refuses (one line naming the file) a file that is missing, not a
  // regular file, readable or writable by others (mode & 007), or writable by its group
  // (mode & 020): group read stays allowed for a root-owned file readable by the service group.
  static Result<AuditorTokens> Load(const std::filesystem::path& file);

  // The auditor whose token the Authorization field value `authorization` carries
  // ("Bearer <token>", scheme case-insensitive), or nullopt. The token's SHA-256 is compared
  // with every entry in constant time (CRYPTO_memcmp, no early exit), so timing reveals neither
  // which entry matched nor how much of a digest did.
  std::optional<std::string> Authenticate(std::string_view authorization) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    std::array<unsigned char, 32> digest{};
  };
  std::vector<Entry> entries_;
};

}  // namespace medmij::http
