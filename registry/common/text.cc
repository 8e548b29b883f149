#include "registry/common/text.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>

namespace medmij {
namespace {

struct Range {
  char32_t first, last;
};

// Category Cf of Unicode 15.0, in order.
constexpr std::array<Range, 21> kFormatRanges = {{
    {0x00ad, 0x00ad},   {0x0600, 0x0605},   {0x061c, 0x061c},   {0x06dd, 0x06dd},
    {0x070f, 0x070f},   {0x0890, 0x0891},   {0x08e2, 0x08e2},   {0x180e, 0x180e},
    {0x200b, 0x200f},   {0x202a, 0x202e},   {0x2060, 0x2064},   {0x2066, 0x206f},
    {0xfeff, 0xfeff},   {0xfff9, 0xfffb},   {0x110bd, 0x110bd}, {0x110cd, 0x110cd},
    {0x13430, 0x1343f}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a}, {0xe0001, 0xe0001},
    {0xe0020, 0xe007f},
}};

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(std::string& out, uint32_t v, int min_digits) {
  char buf[8];
  int n = 0;
  do {
    buf[n++] = kHex[v & 0xf];
    v >>= 4;
  } while (v != 0 || n < min_digits);
  while (n > 0) out += buf[--n];
}

}  // namespace

bool DecodeUtf8(std::string_view s, size_t& i, char32_t& cp) {
  if (i >= s.size()) return false;
  auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    cp = b0;
    ++i;
    return true;
  }
  size_t n;
  char32_t min;
  char32_t v;
  if ((b0 & 0xe0) == 0xc0) {
    n = 2, min = 0x80, v = b0 & 0x1f;
  } else if ((b0 & 0xf0) == 0xe0) {
    n = 3, min = 0x800, v = b0 & 0x0f;
  } else if ((b0 & 0xf8) == 0xf0) {
    n = 4, min = 0x10000, v = b0 & 0x07;
  } else {
    return false;
  }
  if (i + n > s.size()) return false;
  for (size_t k = 1; k < n; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) return false;
    v = (v << 6) | (b & 0x3f);
  }
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return false;
  cp = v;
  i += n;
  return true;
}

bool IsLineBreak(char32_t cp) {
  return (cp >= 0x0a && cp <= 0x0d) || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

bool IsControlCharacter(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

bool IsFormatCharacter(char32_t cp) {
  auto it = std::upper_bound(kFormatRanges.begin(), kFormatRanges.end(), cp,
                             [](char32_t c, const Range& r) { return c < r.first; });
  return it != kFormatRanges.begin() && cp <= std::prev(it)->last;
}

std::string CodePointName(char32_t cp) {
  std::string out = "U+";
  static constexpr char kUpper[] = "0123456789ABCDEF";
  char buf[8];
  int n = 0;
  uint32_t v = cp;
  do {
    buf[n++] = kUpper[v & 0xf];
    v >>= 4;
  } while (v != 0 || n < 4);
  while (n > 0) out += buf[--n];
  return out;
}

std::string EscapeForDisplay(std::string_view text, size_t max_chars) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0, chars = 0;
  while (i < text.size() && chars < max_chars) {
    const size_t start = i;
    char32_t cp = 0;
    if (!DecodeUtf8(text, i, cp)) {
      out += "\\x";
      AppendHex(out, static_cast<unsigned char>(text[i]), 2);
      ++i;
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x80 && IsControlCharacter(cp)) {
      out += "\\x";
      AppendHex(out, cp, 2);
    } else if (IsControlCharacter(cp) || IsLineBreak(cp) || IsFormatCharacter(cp)) {
      out += "\\u{";
      AppendHex(out, cp, 4);
      out += '}';
    } else {
      out.append(text.substr(start, i - start));
    }
    ++chars;
  }
  if (i < text.size()) out += "...";
  return out;
}

}  // namespace medmij
