// Durations and sizes on the command line: `30s`, `15m`, `1h` or plain seconds (`90`); bytes,
// with an optional binary unit (`512MiB`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "registry/common/status.h"
#include "registry/common/time.h"

namespace medmij::fetch {

// A positive whole number followed by nothing (seconds), `s`, `m` or `h`. kInvalidArgument
// naming `field` otherwise (zero, a sign, a fraction, another unit, more than a year).
Result<Millis> ParseDuration(std::string_view text, std::string_view field);

// The largest exact unit: 3600000 ms -> "1h", 90000 -> "90s", 5400000 -> "90m", 1500 -> "1.5s".
std::string FormatDuration(Millis d);

// A positive whole number of bytes, optionally followed by KiB, MiB or GiB. kInvalidArgument
// naming `field` otherwise (zero, a sign, another unit, more than 1 TiB).
Result<uint64_t> ParseByteSize(std::string_view text, std::string_view field);

}  // namespace medmij::fetch
