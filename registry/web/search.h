// The overview's search: GET /?q=TEXT&role=dvp|dva, a plain HTML form that works without
// JavaScript. Pure: unit-tested on its own.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "registry/common/status.h"
#include "registry/domain/types.h"
#include "registry/web/register_view.h"

namespace medmij::web {

// Longest search text accepted (bytes, after decoding); the form says the same (maxlength).
inline constexpr size_t kMaxSearchBytes = 100;

// An empty search matches everyone.
struct Search {
  std::string text;  // matched case-insensitively (ASCII) against the legal name and the id
  std::optional<Role> role;
  bool Matches(const PublicParticipant& p) const;
  bool empty() const { return text.empty() && !role; }
};

// The search a form submission asks for: `q` and `role` as sent in the query string
// (application/x-www-form-urlencoded: '+' is a space, %XX a byte), absent or empty meaning
// "any". kInvalidArgument naming the parameter for a malformed escape, text that is not UTF-8,
// contains control characters or is longer than kMaxSearchBytes, or a role other than dvp/dva.
// Surrounding spaces of the text are dropped.
Result<Search> ParseSearch(std::optional<std::string_view> q, std::optional<std::string_view> role);

// `s` with ASCII A-Z lowered: the one case folding the register sorts and searches by.
std::string FoldAsciiCase(std::string_view s);

}  // namespace medmij::web
