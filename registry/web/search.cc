#include "registry/web/search.h"

#include "registry/common/text.h"

namespace medmij::web {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status Refuse(std::string_view name, std::string_view why) {
  return Status::Invalid("query parameter '" + std::string(name) + "' " + std::string(why));
}

// application/x-www-form-urlencoded value: '+' is a space, %XX a byte.
Result<std::string> FormDecode(std::string_view raw, std::string_view name) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '+') {
      out += ' ';
    } else if (raw[i] != '%') {
      out += raw[i];
    } else {
      const int hi = i + 1 < raw.size() ? HexValue(raw[i + 1]) : -1;
      const int lo = i + 2 < raw.size() ? HexValue(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) return Refuse(name, "has a '%' not followed by two hex digits");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
  }
  return out;
}

}  // namespace

std::string FoldAsciiCase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool Search::Matches(const PublicParticipant& p) const {
  if (role && p.roles.count(*role) == 0) return false;
  if (text.empty()) return true;
  const std::string needle = FoldAsciiCase(text);
  return FoldAsciiCase(p.legal_name).find(needle) != std::string::npos ||
         FoldAsciiCase(p.id).find(needle) != std::string::npos;
}

Result<Search> ParseSearch(std::optional<std::string_view> q,
                           std::optional<std::string_view> role) {
  Search s;
  if (q) {
    MEDMIJ_ASSIGN_OR_RETURN(std::string text, FormDecode(*q, "q"));
    if (text.size() > kMaxSearchBytes) {
      return Refuse("q", "is longer than " + std::to_string(kMaxSearchBytes) + " bytes");
    }
    for (size_t i = 0; i < text.size();) {
      char32_t cp = 0;
      if (!DecodeUtf8(text, i, cp)) return Refuse("q", "is not UTF-8");
      if (IsControlCharacter(cp)) return Refuse("q", "contains a control character");
    }
    const size_t begin = text.find_first_not_of(' ');
    const size_t end = text.find_last_not_of(' ');
    s.text = begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
  }
  if (role && !role->empty()) {
    if (*role == "dvp") {
      s.role = Role::kDvp;
    } else if (*role == "dva") {
      s.role = Role::kDva;
    } else {
      return Refuse("role", "must be dvp or dva");
    }
  }
  return s;
}

}  // namespace medmij::web
