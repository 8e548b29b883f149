// StripSignature: byte-exact inverse of Signer::Sign's splice.
#include <string>
#include <string_view>

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
std::string StripSignature(std::string_view signed_xml) {
  const std::string_view s = signed_xml;
  size_t i = s.size();
  while (i > 0 && IsSpace(s[i - 1])) --i;
  if (i == 0 || s[i - 1] != '>') return std::string(s);
  --i;
  while (i > 0 && IsSpace(s[i - 1])) --i;
  while (i > 0 && IsNameChar(s[i - 1])) --i;
  if (i < 2 || s.substr(i - 2, 2) != "</") return std::string(s);
  const size_t root_end_tag = i - 2;

  size_t j = root_end_tag;
  if (j == 0 || s[j - 1] != '>') return std::string(s);
  --j;
  while (j > 0 && IsSpace(s[j - 1])) --j;
  constexpr std::string_view kEnd = "</ds:Signature";
  if (j < kEnd.size() || s.substr(j - kEnd.size(), kEnd.size()) != kEnd) return std::string(s);
  const size_t end_tag = j - kEnd.size();

  constexpr std::string_view kStart = "<ds:Signature";
  size_t pos = end_tag;
  while (pos != 0) {
    size_t found = s.rfind(kStart, pos - 1);
    if (found == std::string_view::npos) return std::string(s);
    const size_t after = found + kStart.size();
    if (after < s.size() && (IsSpace(s[after]) || s[after] == '>')) {
      std::string out;
      out.reserve(s.size() - (root_end_tag - found));
      out.append(s.substr(0, found));
      out.append(s.substr(root_end_tag));
      return out;
    }
    pos = found;
  }
  return std::string(s);
}

}  // namespace medmij::signer
