// Fuzz target: the one date and time parser (registry/common/time.h) and the JSON time codec
// built on it (registry/domain/json.h), through which every date the registry takes (CLI
// options, import fields, MEDMIJ_TEST_NOW, the audit API's `at`) and every time it stores goes.
//
// The first input byte's lowest bit picks what a date without a time means (0: the start of the
// day, 1: its end); the rest is the text. Nothing may crash or throw, and:
//   - whatever ParseTime accepts lies in the supported range (kEarliestTime..kLatestTime);
//   - it round-trips: FormatTime's text parses back to the same instant (as either meaning),
//     TimeToJson encodes it, the JSON's bytes decode through TimeFromJson to the same instant;
//     FormatTijdstempel and FormatDate parse back to its second and its day;
//   - a refusal is kInvalidArgument, starts with the field's name, says either that the text is
//     not ISO 8601 or that it is outside the range (naming the range), and is one line unless
//     the text itself has a line break;
//   - a plain YYYY-MM-DD of a real day inside the range is accepted as that day's start or end
//     (refused only as the end of the range's last day), computed here independently.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "registry/common/time.h"
#include "registry/domain/json.h"

namespace {

using namespace medmij;

[[noreturn]] void Fail(const std::string& why, std::string_view input) {
  std::fprintf(stderr, "date_fuzz: %s\ninput: '%.*s'\n", why.c_str(),
               static_cast<int>(std::min<size_t>(input.size(), 200)), input.data());
  std::abort();
}

constexpr std::string_view kField = "--fuzzed";

void CheckAccepted(Time t, std::string_view text) {
  if (!InTimeRange(t)) Fail("accepted outside the range: " + FormatTime(t), text);
  const std::string formatted = FormatTime(t);
  for (DateMeaning m : {DateMeaning::kStartOfDay, DateMeaning::kEndOfDay}) {
    auto back = ParseTime(formatted, "f", m);
    if (!back.ok()) Fail("FormatTime's text refused: " + back.status().message(), text);
    if (*back != t) Fail("FormatTime's text parses to another instant: " + formatted, text);
  }
  nlohmann::json encoded;
  try {
    encoded = TimeToJson(t, "t");
  } catch (const std::exception& e) {
    Fail(std::string("the encoder refused an accepted time: ") + e.what(), text);
  }
  auto decoded = TimeFromJson(nlohmann::json::parse(encoded.dump()), "t");
  if (!decoded.ok()) Fail("the decoder refused the encoding: " + decoded.status().message(), text);
  if (*decoded != t) Fail("the codec changed the instant: " + encoded.dump(), text);

  auto second = ParseTime(FormatTijdstempel(t), "f");
  if (!second.ok() || *second != FloorToSecond(t)) {
    Fail("FormatTijdstempel does not parse back to the second: " + FormatTijdstempel(t), text);
  }
  const Time day = std::chrono::floor<Days>(t);
  auto start = ParseTime(FormatDate(t), "f");
  if (!start.ok() || *start != day) Fail("FormatDate does not parse back to the day", text);
  auto end = ParseTime(FormatDate(t), "f", DateMeaning::kEndOfDay);
  if (InTimeRange(day + Days(1))) {
    if (!end.ok() || *end != day + Days(1)) Fail("a day's end in the range refused", text);
  } else if (end.ok()) {
    Fail("the end of the last day accepted: " + FormatTime(*end), text);
  }
}

void CheckRefused(const Status& s, std::string_view text) {
  const std::string& m = s.message();
  if (s.code() != Status::Code::kInvalidArgument)
    Fail("refusal is not InvalidArgument: " + m, text);
  if (m.rfind(std::string(kField) + ": '", 0) != 0)
    Fail("refusal does not name the field: " + m, text);
  const bool range = m.find(" is outside the supported range " + std::string(kTimeRangeText) +
                            ", inclusive") != std::string::npos;
  const bool syntax = m.find(" is not an ISO 8601 date or date-time (") != std::string::npos;
  if (!range && !syntax) Fail("refusal says neither syntax nor range: " + m, text);
  if (text.find_first_of("\r\n") == std::string_view::npos &&
      m.find_first_of("\r\n") != std::string::npos) {
    Fail("refusal is more than one line: " + m, text);
  }
}

// The independent expectation for a plain date: 4+2+2 digits naming a real day.
void CheckPlainDate(std::string_view text, DateMeaning meaning, const Result<Time>& r) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return;
  int v[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (size_t k = 0; k < lengths[i]; ++k) {
      const char c = text[starts[i] + k];
      if (c < '0' || c > '9') return;
      v[i] = v[i] * 10 + (c - '0');
    }
  }
  const int y = v[0], mo = v[1], d = v[2];
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int month_days[12] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > month_days[mo - 1]) {
    if (r.ok()) Fail("a day that does not exist accepted", text);
    return;
  }
  const bool in_range = y >= 1970 && y <= 9999;
  const bool last_day = y == 9999 && mo == 12 && d == 31;
  const bool expect_ok = in_range && !(last_day && meaning == DateMeaning::kEndOfDay);
  if (r.ok() != expect_ok)
    Fail(expect_ok ? "a date in the range refused" : "a date accepted", text);
  if (!r.ok()) {
    if (r.status().message().find("outside the supported range") == std::string::npos) {
      Fail("a real day outside the range not called out of range: " + r.status().message(), text);
    }
    return;
  }
  // Days since 1970-01-01 (days_from_civil), to compare with the parser's instant.
  const int yy = mo <= 2 ? y - 1 : y;
  const int era = yy / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = int64_t{era} * 146097 + doe - 719468;
  const int64_t expect_ms =
      (days + (meaning == DateMeaning::kEndOfDay ? 1 : 0)) * int64_t{86'400'000};
  if (ToMillis(*r) != expect_ms) Fail("a date parsed to another instant: " + FormatTime(*r), text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const DateMeaning meaning = (data[0] & 1) ? DateMeaning::kEndOfDay : DateMeaning::kStartOfDay;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto r = ParseTime(text, kField, meaning);
  if (r.ok()) {
    CheckAccepted(*r, text);
  } else {
    CheckRefused(r.status(), text);
  }
  CheckPlainDate(text, meaning, r);
  // The decoder is ParseTime behind a JSON string: the same verdict (a date as its start).
  auto decoded = TimeFromJson(nlohmann::json(std::string(text)), "t");
  auto start = ParseTime(text, kField);
  if (decoded.ok() != start.ok() || (decoded.ok() && *decoded != *start)) {
    Fail("TimeFromJson and ParseTime disagree", text);
  }
  return 0;
}
