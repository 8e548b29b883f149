// UTF-8 text and the characters that must never reach a terminal, a log line or a published list
// as they are: line breaks, control characters and Unicode format characters (the bidirectional
// overrides and isolates, zero-width characters, the byte order mark, tag characters). The domain
// validation refuses them in stored text (registry/domain/validate.h); everything that prints
// text for people escapes them with EscapeForDisplay.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace medmij {

// Decodes the UTF-8 sequence at s[i]. On success stores the code point, advances i and returns
// true; refuses truncated sequences, overlong forms, surrogates and values above U+10FFFF (i is
// left unchanged).
bool DecodeUtf8(std::string_view s, size_t& i, char32_t& cp);

// LF, VT, FF, CR, NEL (U+0085), LINE SEPARATOR (U+2028), PARAGRAPH SEPARATOR (U+2029).
bool IsLineBreak(char32_t cp);
// C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F): line breaks and TAB included.
bool IsControlCharacter(char32_t cp);
// Unicode general category Cf (format), as of Unicode 15: among them the bidirectional controls
// U+061C, U+200E, U+200F, U+202A-U+202E and U+2066-U+2069, the zero-width characters
// U+200B-U+200D and U+2060, the soft hyphen U+00AD, U+FEFF and the tag characters U+E0000 block.
// Each can make two different strings look the same, or reorder what a reader sees.
bool IsFormatCharacter(char32_t cp);

// "U+202E": how messages name a code point.
std::string CodePointName(char32_t cp);

// `text` as it may be printed inside one line for people: valid UTF-8 text is copied as it is,
// except "\n", "\r" and "\t" (written as those two-character escapes), other ASCII control
// characters ("\x01", "\x7f"), the other control, line-break and format characters ("\u{202e}")
// and bytes that are not valid UTF-8 ("\xff"). At most `max_chars` characters of `text` are shown;
// "..." marks a cut.
std::string EscapeForDisplay(std::string_view text, size_t max_chars = std::string_view::npos);

}  // namespace medmij
