#include "registry/common/time.h"

#include <cstdio>
#include <string>

namespace medmij {
namespace {

// Reads exactly `n` digits at text[pos...]; returns -1 when they are not all digits.
int Digits(std::string_view text, size_t pos, size_t n) {
  if (pos + n > text.size()) return -1;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

Status Bad(std::string_view field, std::string_view text, std::string_view why) {
  return Status::Invalid(std::string(field) + ": '" + std::string(text) +
                         "' is not an ISO 8601 date or date-time (" + std::string(why) + ")");
}

// `t` as FormatTime writes it, or as milliseconds where no calendar year of chrono holds it.
std::string DescribeInstant(Time t) {
  using namespace std::chrono;
  constexpr Time kFirst = time_point_cast<Millis>(sys_days{year::min() / January / 1});
  constexpr Time kLast = time_point_cast<Millis>(sys_days{year::max() / December / 31});
  if (t < kFirst || t > kLast) {
    return std::to_string(ToMillis(t)) + " ms after 1970-01-01T00:00:00Z";
  }
  return FormatTime(t);
}

std::string OutsideRange() {
  return " is outside the supported range " + std::string(kTimeRangeText) + ", inclusive";
}

Status TextOutsideRange(std::string_view field, std::string_view text, std::string_view why) {
  std::string m = std::string(field) + ": '" + std::string(text) + "'" + OutsideRange();
  if (!why.empty()) m += " (" + std::string(why) + ")";
  return Status::Invalid(std::move(m));
}

}  // namespace

Status CheckTimeRange(Time t, std::string_view field) {
  if (InTimeRange(t)) return Status::Ok();
  return Status::Invalid(std::string(field) + ": " + DescribeInstant(t) + OutsideRange());
}

bool IsDateOnly(std::string_view text) {
  return text.size() == 10;
}

Result<Time> ParseTime(std::string_view text, std::string_view field, DateMeaning date_meaning) {
  using namespace std::chrono;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') {
    // A year of five or more digits is a date, just after the range (ISO 8601's expanded years).
    size_t year_digits = 0;
    while (year_digits < text.size() && text[year_digits] >= '0' && text[year_digits] <= '9') {
      ++year_digits;
    }
    if (year_digits > 4 && year_digits < text.size() && text[year_digits] == '-') {
      return TextOutsideRange(field, text, "");
    }
    return Bad(field, text, "expected YYYY-MM-DD");
  }
  int y = Digits(text, 0, 4), mo = Digits(text, 5, 2), d = Digits(text, 8, 2);
  if (y < 0 || mo < 0 || d < 0) return Bad(field, text, "expected YYYY-MM-DD");
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return Bad(field, text, "no such calendar date");
  const Time day_start = time_point_cast<Millis>(sys_days{ymd});
  if (text.size() == 10) {
    // The day itself must lie in the range, and so must the instant the date stands for.
    if (!InTimeRange(day_start)) return TextOutsideRange(field, text, "");
    if (date_meaning == DateMeaning::kStartOfDay) return day_start;
    const Time end = day_start + Days(1);
    if (!InTimeRange(end)) {
      return TextOutsideRange(field, text,
                              "a date here means the end of that day: " + FormatTime(end));
    }
    return end;
  }
  if (text[10] != 'T') return Bad(field, text, "expected 'T' between date and time");
  size_t p = 11;
  int hh = Digits(text, p, 2);
  if (hh < 0 || p + 2 >= text.size() || text[p + 2] != ':') {
    return Bad(field, text, "expected HH:MM");
  }
  int mm = Digits(text, p + 3, 2);
  if (mm < 0) return Bad(field, text, "expected HH:MM");
  p += 5;
  int ss = 0, ms = 0;
  if (p < text.size() && text[p] == ':') {
    ss = Digits(text, p + 1, 2);
    if (ss < 0) return Bad(field, text, "expected seconds as SS");
    p += 3;
    if (p < text.size() && text[p] == '.') {
      ++p;
      size_t start = p;
      int frac = 0, scale = 1000;
      while (p < text.size() && text[p] >= '0' && text[p] <= '9') {
        if (p - start < 3) {
          scale /= 10;
          frac = frac * 10 + (text[p] - '0');
        }
        ++p;
      }
      if (p == start) return Bad(field, text, "expected digits after '.'");
      ms = frac * scale;
    }
  }
  if (hh > 23 || mm > 59 || ss > 59) return Bad(field, text, "time of day out of range");
  const Time local = day_start + hours(hh) + minutes(mm) + seconds(ss) + Millis(ms);
  if (p >= text.size()) return Bad(field, text, "a time needs a zone: Z or +HH:MM");
  if (text[p] == 'Z' && p + 1 == text.size()) {
    if (!InTimeRange(local)) return TextOutsideRange(field, text, "");
    return local;
  }
  if ((text[p] == '+' || text[p] == '-') && p + 6 == text.size() && text[p + 3] == ':') {
    int oh = Digits(text, p + 1, 2), om = Digits(text, p + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return Bad(field, text, "bad zone offset");
    const auto offset = hours(oh) + minutes(om);
    const Time utc = text[p] == '+' ? local - offset : local + offset;
    if (!InTimeRange(utc)) return TextOutsideRange(field, text, "in UTC: " + FormatTime(utc));
    return utc;
  }
  return Bad(field, text, "unexpected text after the time");
}

std::string FormatTime(Time t) {
  using namespace std::chrono;
  auto day_start = floor<days>(t);
  year_month_day ymd{day_start};
  hh_mm_ss<Millis> tod{t - day_start};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ",
                static_cast<int>(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
                long(tod.hours().count()), long(tod.minutes().count()), long(tod.seconds().count()),
                long(tod.subseconds().count()));
  return buf;
}

std::string FormatTijdstempel(Time t) {
  using namespace std::chrono;
  auto day_start = floor<days>(t);
  year_month_day ymd{day_start};
  hh_mm_ss<seconds> tod{floor<seconds>(t - day_start)};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), long(tod.hours().count()),
                long(tod.minutes().count()), long(tod.seconds().count()));
  return buf;
}

std::string FormatDate(Time t) {
  using namespace std::chrono;
  year_month_day ymd{floor<days>(t)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()));
  return buf;
}

}  // namespace medmij
