// StripSignature: byte-exact inverse of Signer::Sign's splice.
#include <string>
#include <string_view>

#include "signer/internal.h"
#include "signer/signer.h"

namespace medmij::signer {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool IsNameChar(char c) {
  return c != '<' && c != '>' && c != '/' && !IsSpace(c) && c != '=' && c != '"' && c != '\'';
}

}  // namespace

// The signature Sign() inserts is `<ds:Signature ...>...</ds:Signature>` immediately before the
// root's end tag. Walk back from the end: [ws] '>' [ws] name "</" then "</ds:Signature" [ws] '>'
// right before it, then the matching start tag (Signature elements do not nest in what we sign).
std::optional<std::pair<size_t, size_t>> internal::SignatureRange(std::string_view s) {
  size_t i = s.size();
  while (i > 0 && IsSpace(s[i - 1])) --i;
  if (i == 0 || s[i - 1] != '>') return std::nullopt;
  --i;
  while (i > 0 && IsSpace(s[i - 1])) --i;
  while (i > 0 && IsNameChar(s[i - 1])) --i;
  if (i < 2 || s.substr(i - 2, 2) != "</") return std::nullopt;
  const size_t root_end_tag = i - 2;

  size_t j = root_end_tag;
  if (j == 0 || s[j - 1] != '>') return std::nullopt;
  --j;
  while (j > 0 && IsSpace(s[j - 1])) --j;
  constexpr std::string_view kEnd = "</ds:Signature";
  if (j < kEnd.size() || s.substr(j - kEnd.size(), kEnd.size()) != kEnd) return std::nullopt;
  const size_t end_tag = j - kEnd.size();

  constexpr std::string_view kStart = "<ds:Signature";
  size_t pos = end_tag;
  while (pos != 0) {
    size_t found = s.rfind(kStart, pos - 1);
    if (found == std::string_view::npos) return std::nullopt;
    const size_t after = found + kStart.size();
    if (after < s.size() && (IsSpace(s[after]) || s[after] == '>')) {
      return std::make_pair(found, root_end_tag);
    }
    pos = found;
  }
  return std::nullopt;
}

std::string StripSignature(std::string_view signed_xml) {
  const auto range = internal::SignatureRange(signed_xml);
  if (!range) return std::string(signed_xml);
  std::string out;
  out.reserve(signed_xml.size() - (range->second - range->first));
  out.append(signed_xml.substr(0, range->first));
  out.append(signed_xml.substr(range->second));
  return out;
}

}  // namespace medmij::signer
