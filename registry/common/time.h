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

// The one range every time the registry takes, stores or writes lies in: 1970-01-01T00:00:00Z
// to 9999-12-31T23:59:59Z inclusive. Times are kept to the millisecond and the last second
// belongs to the range in whole, so the latest instant is 9999-12-31T23:59:59.999Z. Inside it
// FormatTime writes 4-digit years and ParseTime reads back the same instant, so a record that
// holds only such times always decodes.
inline constexpr Time kEarliestTime{Millis(0)};
inline constexpr Time kLatestTime = std::chrono::time_point_cast<Millis>(
    std::chrono::sys_days{std::chrono::year{9999} / std::chrono::December / 31} + Days(1) -
    Millis(1));
inline constexpr std::string_view kTimeRangeText = "1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z";

inline constexpr bool InTimeRange(Time t) {
  return kEarliestTime <= t && t <= kLatestTime;
}
// Ok inside the range; else kInvalidArgument, one line naming `field`, the instant and the
// range. ParseTime applies it to everything it reads; the JSON encoder refuses what it refuses.
Status CheckTimeRange(Time t, std::string_view field);

// Parses ISO 8601: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z` or `+HH:MM` /
// `-HH:MM`. A date-time without a zone is refused (ambiguous); digits after the third of a
// fraction are dropped (rounded down). The result is inside the range above, or the text is
// refused naming the range: a date whose day lies outside it, a date whose end (kEndOfDay) or a
// date-time whose zone offset puts the instant outside it (`9999-12-31` as an end of day is
// 10000-01-01T00:00:00Z: refused). `field` names the input in the error message
// ("--valid-until: ..."); every error is one line.
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
