#include "registry/http/http_util.h"

#include <array>
#include <cstdio>

#include "registry/common/sha256.h"

namespace medmij::http {
namespace {

constexpr std::array<const char*, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string FormatHttpDate(Time t) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t);
  auto day = floor<days>(secs);
  year_month_day ymd{day};
  hh_mm_ss<seconds> tod{secs - day};
  weekday wd{day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02ld:%02ld:%02ld GMT",
                kWeekdays[wd.c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<long>(tod.hours().count()), static_cast<long>(tod.minutes().count()),
                static_cast<long>(tod.seconds().count()));
  return buf;
}

std::optional<Time> ParseHttpDate(std::string_view s) {
  using namespace std::chrono;
  // "Sun, 06 Nov 1994 08:49:37 GMT": exactly 29 characters.
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  int wd = -1;
  for (size_t i = 0; i < kWeekdays.size(); ++i) {
    if (s.substr(0, 3) == kWeekdays[i]) wd = static_cast<int>(i);
  }
  int mon = -1;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (s.substr(8, 3) == kMonths[i]) mon = static_cast<int>(i) + 1;
  }
  int d = Digits(s, 5, 2), y = Digits(s, 12, 4), hh = Digits(s, 17, 2), mm = Digits(s, 20, 2),
      ss = Digits(s, 23, 2);
  if (wd < 0 || mon < 0 || d < 0 || y < 0 || hh < 0 || mm < 0 || ss < 0) return std::nullopt;
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mon)},
                     std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  sys_days day_point{ymd};
  if (weekday{day_point}.c_encoding() != static_cast<unsigned>(wd)) return std::nullopt;
  return time_point_cast<Millis>(day_point + hours{hh} + minutes{mm} + seconds{ss});
}

std::string StrongEtag(std::string_view bytes) {
  std::string etag = "\"";  // appended, not "\"" + ...: g++ 12 -O2 false -Wrestrict on "x" +
                            // std::string, docs/PITFALLS.md
  etag += Sha256Hex(bytes);
  etag += '"';
  return etag;
}

bool IfNoneMatchMatches(std::string_view header, std::string_view etag) {
  std::string_view want = etag;
  if (want.substr(0, 2) == "W/") want.remove_prefix(2);
  std::string_view rest = Trim(header);
  if (rest == "*") return true;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    // Entity tags cannot contain a comma (etagc excludes it), so splitting on ',' is exact.
    std::string_view member = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (member.substr(0, 2) == "W/") member.remove_prefix(2);
    if (member.size() >= 2 && member.front() == '"' && member.back() == '"' && member == want) {
      return true;
    }
  }
  return false;
}

bool NotModifiedSince(std::string_view header, Time last_modified) {
  auto since = ParseHttpDate(Trim(header));
  if (!since) return false;
  return std::chrono::floor<std::chrono::seconds>(last_modified) <= *since;
}

std::optional<std::string> RejectPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return "request target must start with '/'";
  for (unsigned char c : path) {
    if (c < 0x21 || c > 0x7e) return "request target has a control or non-ASCII byte";
    if (c == '%') return "percent-encoding is not accepted in the path";
    if (c == '\\') return "backslash in path";
  }
  if (path.find("//") != std::string_view::npos) return "empty path segment";
  // Dot segments: "/./", "/../", and trailing "/." or "/..".
  size_t pos = 0;
  while (pos < path.size()) {
    size_t next = path.find('/', pos + 1);
    std::string_view seg = path.substr(
        pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
    if (seg == "." || seg == "..") return "dot segment in path";
    if (next == std::string_view::npos) break;
    pos = next;
  }
  return std::nullopt;
}

}  // namespace medmij::http
