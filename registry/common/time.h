// Instants and their text forms. The registry keeps time as UTC milliseconds; nothing here reads
// a clock (callers pass `now` in, so policy stays a pure function of state and time).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "registry/common/status.h"

namespace medmij {

using Time = std::chrono::sys_time<std::chrono::milliseconds>;
using Millis = std::chrono::milliseconds;
using Days = std::chrono::days;

// What a date without a time of day stands for.
enum class DateMeaning {
  kStartOfDay,  // 2026-11-22 -> 2026-11-22T00:00:00.000Z
  kEndOfDay,    // 2026-11-22 -> 2026-11-23T00:00:00.000Z, the exclusive end of that day
};

// Parses ISO 8601: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z` or `+HH:MM` /
// `-HH:MM`. A date-time without a zone is refused (ambiguous). `field` names the input in the
// error message ("--valid-until: ...").
Result<Time> ParseTime(std::string_view text, std::string_view field,
                       DateMeaning date_meaning = DateMeaning::kStartOfDay);

// True when `text` is a date without a time of day.
bool IsDateOnly(std::string_view text);

// 2026-11-22T10:00:00.000Z (UTC, milliseconds, 24 characters): the registry's own records.
std::string FormatTime(Time t);
// A list's Tijdstempel: `t` in UTC with whole seconds, 2026-11-22T10:00:00Z (20 characters), as
// the official MedMij examples write it. Existing consumers parse it as `Y-m-d\TH:i:sO` and
// reject a fraction, so none is ever written: a fraction in `t` is dropped (rounded down).
std::string FormatTijdstempel(Time t);
// `t` rounded down to its second: the instant a Tijdstempel written at `t` stands for.
inline Time FloorToSecond(Time t) {
  return std::chrono::floor<std::chrono::seconds>(t);
}
// 2026-11-22 (UTC).
std::string FormatDate(Time t);

// Milliseconds since the Unix epoch and back, for storage.
inline int64_t ToMillis(Time t) {
  return t.time_since_epoch().count();
}
inline Time FromMillis(int64_t ms) {
  return Time(Millis(ms));
}

// The wall clock itself. Binaries read ProcessClock() (registry/common/clock.h) instead, which
// tests can start at another instant; never call either from domain or policy code.
inline Time WallClockNow() {
  return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
}

}  // namespace medmij
