#include "registry/http/http_util.h"

#include <array>
#include <cctype>
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

namespace {

constexpr std::array<const char*, 7> kLongWeekdays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                      "Thursday", "Friday", "Saturday"};

int IndexOf(std::string_view word, const auto& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (word == names[i]) return static_cast<int>(i);
  }
  return -1;
}

// "HH:MM:SS" at `pos`, or -1 (RFC 9110 allows a leap second, 60).
int64_t ClockSeconds(std::string_view s, size_t pos) {
  if (pos + 8 > s.size() || s[pos + 2] != ':' || s[pos + 5] != ':') return -1;
  int hh = Digits(s, pos, 2), mm = Digits(s, pos + 3, 2), ss = Digits(s, pos + 6, 2);
  if (hh < 0 || mm < 0 || ss < 0 || hh > 23 || mm > 59 || ss > 60) return -1;
  return hh * 3600 + mm * 60 + ss;
}

// The instant of a parsed date, or nullopt when the date does not exist or is not on `wd`.
std::optional<Time> Assemble(int wd, int y, int mon, int d, int64_t secs) {
  using namespace std::chrono;
  if (wd < 0 || mon < 0 || d < 0 || y < 0 || secs < 0) return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mon) + 1},
                     std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  sys_days day_point{ymd};
  if (weekday{day_point}.c_encoding() != static_cast<unsigned>(wd)) return std::nullopt;
  return time_point_cast<Millis>(day_point + seconds{secs});
}

}  // namespace

std::optional<Time> ParseHttpDate(std::string_view s, Time now) {
  using namespace std::chrono;
  size_t comma = s.find(',');
  if (comma == 3) {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT", exactly 29 characters.
    if (s.size() != 29 || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        s.substr(25) != " GMT") {
      return std::nullopt;
    }
    return Assemble(IndexOf(s.substr(0, 3), kWeekdays), Digits(s, 12, 4),
                    IndexOf(s.substr(8, 3), kMonths), Digits(s, 5, 2), ClockSeconds(s, 17));
  }
  if (comma != std::string_view::npos) {
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT".
    std::string_view rest = s.substr(comma);
    if (rest.size() != 24 || rest[1] != ' ' || rest[4] != '-' || rest[8] != '-' ||
        rest[11] != ' ' || rest.substr(20) != " GMT") {
      return std::nullopt;
    }
    int yy = Digits(rest, 9, 2);
    if (yy < 0) return std::nullopt;
    // RFC 9110 5.6.7: a year more than 50 years in the future is the most recent past year
    // with the same last two digits.
    int this_year = static_cast<int>(year_month_day{floor<days>(now)}.year());
    int y = this_year - this_year % 100 + yy;
    if (y > this_year + 50) y -= 100;
    return Assemble(IndexOf(s.substr(0, comma), kLongWeekdays), y,
                    IndexOf(rest.substr(5, 3), kMonths), Digits(rest, 2, 2),
                    ClockSeconds(rest, 12));
  }
  // asctime: "Sun Nov  6 08:49:37 1994", exactly 24 characters.
  if (s.size() != 24 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ') {
    return std::nullopt;
  }
  int d = s[8] == ' ' ? Digits(s, 9, 1) : Digits(s, 8, 2);
  return Assemble(IndexOf(s.substr(0, 3), kWeekdays), Digits(s, 20, 4),
                  IndexOf(s.substr(4, 3), kMonths), d, ClockSeconds(s, 11));
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

bool NotModifiedSince(std::string_view header, Time last_modified, Time now) {
  auto since = ParseHttpDate(Trim(header), now);
  if (!since) return false;
  return std::chrono::floor<std::chrono::seconds>(last_modified) <= *since;
}

bool AcceptsGzip(std::optional<std::string_view> header) {
  if (!header) return false;
  // Each member: coding [ OWS ";" OWS "q=" qvalue ] (other parameters are not defined).
  std::optional<bool> gzip, star;
  std::string_view rest = *header;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view member = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (member.empty()) continue;
    size_t semi = member.find(';');
    std::string_view coding = Trim(member.substr(0, semi));
    bool acceptable = true;
    if (semi != std::string_view::npos) {
      std::string_view param = Trim(member.substr(semi + 1));
      if (param.size() < 3 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
      std::string_view q = param.substr(2);
      // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ): above 0 unless all zeros.
      if (q.size() > 5 || (q[0] != '0' && q[0] != '1') || (q.size() > 1 && q[1] != '.')) continue;
      bool digits = true;
      for (char c : q.substr(q.size() > 1 ? 2 : 1)) digits = digits && c >= '0' && c <= '9';
      if (!digits) continue;
      acceptable = q.find_first_not_of("0.") != std::string_view::npos;
    }
    auto is = [&](std::string_view name) {
      if (coding.size() != name.size()) return false;
      for (size_t i = 0; i < name.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(coding[i])) != name[i]) return false;
      }
      return true;
    };
    if (is("gzip") || is("x-gzip")) {
      gzip = acceptable;
    } else if (coding == "*") {
      star = acceptable;
    }
  }
  if (gzip) return *gzip;
  return star.value_or(false);
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
