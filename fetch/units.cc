#include "fetch/units.h"

#include <cstdint>
#include <optional>

namespace medmij::fetch {

namespace {

// The leading decimal digits of `text` (at most `max_digits`) as a number, and how many there
// were in `*digits`; nullopt when there are none or too many.
std::optional<uint64_t> LeadingNumber(std::string_view text, size_t max_digits, size_t* digits) {
  size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') ++n;
  *digits = n;
  if (n == 0 || n > max_digits) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = v * 10 + static_cast<uint64_t>(text[i] - '0');
  return v;
}

}  // namespace

Result<Millis> ParseDuration(std::string_view text, std::string_view field) {
  const auto bad = [&](const std::string& why) {
    return Status::Invalid(std::string(field) + ": '" + std::string(text) + "' " + why +
                           " (a duration is 30s, 15m, 1h or plain seconds)");
  };
  size_t digits = 0;
  const std::optional<uint64_t> number = LeadingNumber(text, 9, &digits);
  if (!number) return bad(digits == 0 ? "is not a duration" : "is too long");
  const uint64_t n = *number;
  const std::string_view unit = text.substr(digits);
  uint64_t seconds_per_unit = 0;
  if (unit.empty() || unit == "s") {
    seconds_per_unit = 1;
  } else if (unit == "m") {
    seconds_per_unit = 60;
  } else if (unit == "h") {
    seconds_per_unit = 3600;
  } else {
    return bad("has an unknown unit '" + std::string(unit) + "'");
  }
  if (n == 0) return bad("must be more than zero");
  const uint64_t seconds = n * seconds_per_unit;
  if (seconds > uint64_t{366} * 24 * 3600) return bad("is more than a year");
  return Millis(static_cast<int64_t>(seconds) * 1000);
}

std::string FormatDuration(Millis d) {
  const int64_t ms = d.count();
  if (ms % 1000 != 0) {
    std::string s = std::to_string(ms / 1000) + "." + std::to_string(1000 + ms % 1000).substr(1);
    while (s.back() == '0') s.pop_back();
    return s + "s";
  }
  const int64_t s = ms / 1000;
  if (s != 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s != 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

Result<uint64_t> ParseByteSize(std::string_view text, std::string_view field) {
  const auto bad = [&](const std::string& why) {
    return Status::Invalid(std::string(field) + ": '" + std::string(text) + "' " + why +
                           " (bytes, optionally with KiB, MiB or GiB: 536870912, 512MiB)");
  };
  size_t digits = 0;
  const std::optional<uint64_t> number = LeadingNumber(text, 13, &digits);
  if (!number) return bad(digits == 0 ? "is not a size" : "is too long");
  const uint64_t n = *number;
  const std::string_view unit = text.substr(digits);
  int shift = 0;
  if (unit == "KiB") {
    shift = 10;
  } else if (unit == "MiB") {
    shift = 20;
  } else if (unit == "GiB") {
    shift = 30;
  } else if (!unit.empty()) {
    return bad("has an unknown unit '" + std::string(unit) + "'");
  }
  if (n == 0) return bad("must be more than zero");
  if (n > (uint64_t{1} << (40 - shift))) return bad("is more than 1 TiB");
  return n << shift;
}

}  // namespace medmij::fetch
