// Text from outside (a field name, a value, a path) inside an error message must not break the
// message's one line or hide its rest: a NUL would cut it short wherever it is copied as a C
// string, a CR or LF would let input forge further lines.
#pragma once

#include <string>
#include <string_view>

namespace medmij {

// `text` with every control character escaped: \n, \r and \t as those two characters, any other
// C0 control, DEL and the C1 controls (U+0080-U+009F) as \xNN per byte. Everything else,
// backslashes and broken UTF-8 included, is kept as it is, so applying it twice changes nothing.
std::string OneLine(std::string_view text);

}  // namespace medmij
