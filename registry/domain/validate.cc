// Hand-written scanners for the MedMij value patterns. No std::regex: import validates every
// field of 100 000 providers, and a scanner also says exactly which part of a value is wrong.
//
// Rules beyond the literal XSD patterns, each chosen so that whatever passes here also passes the
// reference XSDs (publishing must never fail on stored data):
// - Hostnames: at most 253 characters, labels at most 63, and no label ends with '-' (RFC 1123;
//   the XSD pattern allows "a-.b.nl", which no DNS host name can be). URI hosts follow the same
//   rules, also on the front channel (whose XSD pattern is looser in its last label).
// - URIs: printable ASCII only, no user info, '%' only as a %XX escape, at most 2048 characters.
// - Text (names, ids, codes, reasons): valid UTF-8 whose characters XML 1.0 allows, no control
//   characters, no line breaks (reasons: "\n" only), no Unicode format characters (bidi
//   overrides such as U+202E, zero-width characters: registry/common/text.h), lengths counted in
//   characters (as XSD counts them), not bytes. Names and ids may not start or end with white
//   space ("acme " and "acme" would look the same in a list).
// - Operators: printable ASCII without leading or trailing space, so the two-person rule's exact
//   comparison cannot be fooled by look-alike spellings of one name.
#include "registry/domain/validate.h"

#include <cstdint>
#include <string>

#include "registry/common/text.h"
#include "registry/domain/types.h"

namespace medmij {
namespace {

constexpr size_t kMaxHostnameLength = 253;
constexpr size_t kMaxLabelLength = 63;
constexpr size_t kMaxUriLength = 2048;
constexpr size_t kMaxEmailLength = 254;
constexpr size_t kEchoMaxChars = 64;

bool IsLower(char c) {
  return c >= 'a' && c <= 'z';
}
bool IsUpper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The code points XML 1.0 does not allow beyond the control characters.
bool IsNonXmlCharacter(char32_t cp) {
  return cp == 0xfffe || cp == 0xffff;
}

// The value as it may appear inside an error line: at most kEchoMaxChars characters, control and
// format characters and broken UTF-8 escaped, so the message stays one printable line.
std::string Echo(std::string_view v) {
  return EscapeForDisplay(v, kEchoMaxChars);
}

Status Bad(std::string_view field, std::string_view rule, std::string_view v) {
  std::string msg(field);
  msg += ": ";
  msg += rule;
  msg += ", got '";
  msg += Echo(v);
  msg += "'";
  if (v.size() > kEchoMaxChars) msg += " (" + std::to_string(v.size()) + " bytes)";
  return Status::Invalid(std::move(msg));
}

std::string LengthRule(size_t min, size_t max, std::string_view unit = "characters") {
  if (min == max) return "must be exactly " + std::to_string(min) + " " + std::string(unit);
  return "must be " + std::to_string(min) + "-" + std::to_string(max) + " " + std::string(unit);
}

bool IsSpace(char32_t cp) {
  return cp == ' ' || cp == 0xa0 || cp == 0x3000;
}

// Text rules shared by single-line text and reasons. `allow_newline`: reasons may span lines
// ("\n" only). `trimmed`: no white space at either end. Returns the rule broken, or empty.
std::string CheckText(std::string_view v, size_t min, size_t max, bool allow_newline,
                      bool trimmed) {
  size_t i = 0, chars = 0;
  bool blank = true;
  char32_t first = 0, last = 0;
  while (i < v.size()) {
    char32_t cp;
    if (!DecodeUtf8(v, i, cp)) return "must be valid UTF-8";
    const bool newline = allow_newline && cp == '\n';
    if (!newline && !allow_newline && IsLineBreak(cp)) {
      return "must be a single line: no line breaks (" + CodePointName(cp) +
             ") or other control characters";
    }
    if (!newline && (IsControlCharacter(cp) || IsNonXmlCharacter(cp))) {
      return std::string(allow_newline ? "must not contain control characters other than newline"
                                       : "must not contain control characters") +
             " (" + CodePointName(cp) + ")";
    }
    if (!newline && IsLineBreak(cp)) {
      return "must not contain line breaks other than newline (" + CodePointName(cp) + ")";
    }
    if (IsFormatCharacter(cp)) {
      return "must not contain invisible or bidirectional format characters (" + CodePointName(cp) +
             ")";
    }
    if (chars == 0) first = cp;
    last = cp;
    if (!IsSpace(cp) && cp != '\n') blank = false;
    ++chars;
  }
  if (chars < min || chars > max) return LengthRule(min, max);
  if (chars > 0 && blank) return "must not be blank";
  if (trimmed && chars > 0 && (IsSpace(first) || IsSpace(last))) {
    return "must not start or end with white space";
  }
  return {};
}

// The Hostname pattern (([a-z0-9])([a-z0-9-])*(\.))+([a-z0-9])([a-z0-9-])*([a-z0-9]) plus the
// length limits and RFC 1123's "no label ends with '-'". Returns the rule broken, or empty.
std::string CheckHost(std::string_view h) {
  if (h.empty()) return "must not be empty";
  if (h.size() > kMaxHostnameLength) return "must be at most 253 characters";
  for (char c : h) {
    if (IsUpper(c)) return "must be lower case (upper case is refused, not folded)";
    if (c == '*') return "must not contain wildcards";
    if (c == '_') return "must not contain '_' (only a-z, 0-9, '-' and '.')";
    if (!IsLower(c) && !IsDigit(c) && c != '-' && c != '.') {
      return "may contain only a-z, 0-9, '-' and '.'";
    }
  }
  if (h.back() == '.') return "must not end with a dot";
  size_t labels = 0;
  size_t pos = 0;
  while (true) {
    size_t dot = h.find('.', pos);
    std::string_view label = h.substr(pos, dot == std::string_view::npos ? h.npos : dot - pos);
    ++labels;
    if (label.empty()) return "must not contain an empty label ('..' or a leading dot)";
    if (label.size() > kMaxLabelLength) return "labels must be at most 63 characters";
    if (label.front() == '-') return "labels must not start with '-'";
    if (label.back() == '-') return "labels must not end with '-'";
    if (dot == std::string_view::npos) {
      if (labels < 2) return "must have at least two labels separated by '.'";
      if (label.size() < 2) return "the last label must be at least 2 characters";
      break;
    }
    pos = dot + 1;
  }
  return {};
}

bool IsUriPathChar(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  switch (c) {
    case '"':
    case '<':
    case '>':
    case '\\':
    case '^':
    case '`':
    case '{':
    case '|':
    case '}':
      return false;
    default:
      return true;
  }
}

Status ValidateUri(std::string_view v, std::string_view field, bool port_allowed) {
  static constexpr std::string_view kScheme = "https://";
  if (v.size() > kMaxUriLength) return Bad(field, "must be at most 2048 characters", v);
  if (v.substr(0, 7) == "http://") return Bad(field, "must use https, not http", v);
  if (v.substr(0, kScheme.size()) != kScheme) return Bad(field, "must start with 'https://'", v);
  for (char c : v) {
    if (c == '?') return Bad(field, "must not contain a query ('?')", v);
    if (c == '#') return Bad(field, "must not contain a fragment ('#')", v);
  }
  std::string_view rest = v.substr(kScheme.size());
  if (rest.substr(0, rest.find('/')).find('@') != std::string_view::npos) {
    return Bad(field, "must not contain user info ('@')", v);
  }
  size_t host_end = rest.find_first_of(":/");
  std::string_view host = rest.substr(0, host_end);
  if (std::string rule = CheckHost(host); !rule.empty()) {
    return Bad(field, "host " + rule, v);
  }
  rest = host_end == std::string_view::npos ? std::string_view() : rest.substr(host_end);
  if (!rest.empty() && rest.front() == ':') {
    if (!port_allowed) return Bad(field, "must not have a port (front channel)", v);
    size_t port_end = rest.find('/');
    std::string_view port =
        rest.substr(1, port_end == std::string_view::npos ? rest.npos : port_end - 1);
    bool digits = !port.empty() && port.size() <= 5;
    uint32_t value = 0;
    for (char c : port) {
      if (!IsDigit(c)) digits = false;
      if (digits) value = value * 10 + static_cast<uint32_t>(c - '0');
    }
    if (!digits || value < 1 || value > 65535) {
      return Bad(field, "port must be a number from 1 to 65535", v);
    }
    rest = port_end == std::string_view::npos ? std::string_view() : rest.substr(port_end);
  }
  // Path: (/segment)* with non-empty segments: no '//' and no trailing '/'.
  for (size_t i = 0; i < rest.size();) {
    // rest[i] == '/' holds here: the host ends at ':' or '/', and a port at '/'.
    size_t seg_end = rest.find('/', i + 1);
    if (seg_end == std::string_view::npos) seg_end = rest.size();
    if (seg_end == i + 1) {
      return Bad(field, "path must not have an empty segment ('//' or a trailing '/')", v);
    }
    for (size_t k = i + 1; k < seg_end; ++k) {
      char c = rest[k];
      if (!IsUriPathChar(c)) {
        return Bad(field, "path may contain only printable ASCII URI characters (no spaces)", v);
      }
      if (c == '%' && (k + 2 >= seg_end || !IsHex(rest[k + 1]) || !IsHex(rest[k + 2]))) {
        return Bad(field, "path has a '%' that is not a %XX escape", v);
      }
    }
    i = seg_end;
  }
  return Status::Ok();
}

}  // namespace

Status ValidateParticipantId(std::string_view v, std::string_view field) {
  static constexpr std::string_view kRule = "must be 3-40 characters of a-z, 0-9 and '-'";
  if (v.size() < 3 || v.size() > 40) return Bad(field, kRule, v);
  for (char c : v) {
    if (!IsLower(c) && !IsDigit(c) && c != '-') return Bad(field, kRule, v);
  }
  return Status::Ok();
}

Status ValidateLegalName(std::string_view v, std::string_view field) {
  return ValidateSingleLineText(v, field, 1, 200);
}

Status ValidateKvk(std::string_view v, std::string_view field) {
  bool ok = v.size() == 8;
  for (char c : v) ok = ok && IsDigit(c);
  return ok ? Status::Ok() : Bad(field, "must be exactly 8 digits", v);
}

Status ValidateEmail(std::string_view v, std::string_view field) {
  if (v.empty() || v.size() > kMaxEmailLength) {
    return Bad(field, "must be an e-mail address of at most 254 characters", v);
  }
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return Bad(field, "must not contain spaces, control or non-ASCII characters", v);
    }
  }
  size_t at = v.find('@');
  if (at == std::string_view::npos || v.find('@', at + 1) != std::string_view::npos) {
    return Bad(field, "must contain exactly one '@'", v);
  }
  if (at == 0) return Bad(field, "must have a local part before '@'", v);
  std::string_view domain = v.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return Bad(field, "must have a domain with a dot after '@' (e.g. name@example.nl)", v);
  }
  return Status::Ok();
}

Status ValidateHostname(std::string_view v, std::string_view field) {
  std::string rule = CheckHost(v);
  if (rule.empty()) return Status::Ok();
  return Bad(field, "hostname " + rule, v);
}

Status ValidateOrganisationName(std::string_view v, std::string_view field) {
  return ValidateSingleLineText(v, field, 3, 50);
}

Status ValidateServiceId(std::string_view v, std::string_view field) {
  return ValidateSingleLineText(v, field, 1, 30);
}

Status ValidateDisplayName(std::string_view v, std::string_view field) {
  return ValidateSingleLineText(v, field, 3, 50);
}

Status ValidateProviderName(std::string_view v, std::string_view field) {
  static constexpr std::string_view kSuffix = "@medmij";
  bool pattern = v.size() > kSuffix.size() && v.substr(v.size() - kSuffix.size()) == kSuffix;
  for (size_t i = 0; pattern && i < v.size() - kSuffix.size(); ++i) pattern = IsLower(v[i]);
  if (!pattern) {
    return Bad(field, "must be lower-case letters a-z followed by '@medmij' ([a-z]+@medmij)", v);
  }
  if (v.size() < 10 || v.size() > 57) return Bad(field, LengthRule(10, 57), v);
  return Status::Ok();
}

Status ValidateSystemRoleCode(std::string_view v, std::string_view field) {
  return ValidateSingleLineText(v, field, 1, 30);
}

Status ValidateFrontChannelUri(std::string_view v, std::string_view field) {
  return ValidateUri(v, field, /*port_allowed=*/false);
}

Status ValidateBackChannelUri(std::string_view v, std::string_view field) {
  return ValidateUri(v, field, /*port_allowed=*/true);
}

Status ValidateIdentifier(std::string_view kind, std::string_view value, std::string_view field) {
  const IdentifierKind* k = FindIdentifierKind(kind);
  if (k == nullptr) {
    return Bad(field, "unknown identifier kind (" + IdentifierKindsForMessages() + ")", kind);
  }
  std::string where(field);
  where += '.';
  where.append(kind);
  if (kind == "hrn") {
    bool ok = !value.empty() && value.size() <= 30;
    for (char c : value) ok = ok && (IsDigit(c) || IsLower(c) || IsUpper(c));
    return ok ? Status::Ok() : Bad(where, "must be 1-30 letters and digits", value);
  }
  const size_t digits = kind == "oin" ? 20 : 8;
  bool ok = value.size() == digits;
  for (char c : value) ok = ok && IsDigit(c);
  return ok ? Status::Ok()
            : Bad(where, "must be exactly " + std::to_string(digits) + " digits", value);
}

Status ValidateInterfaceVersion(std::string_view v, std::string_view field) {
  static constexpr std::string_view kRule =
      "must be 1-30 characters of letters, digits, '.' and '-', beginning and ending with a "
      "letter or digit";
  auto alnum = [](char c) { return IsDigit(c) || IsLower(c) || IsUpper(c); };
  bool ok = !v.empty() && v.size() <= 30 && alnum(v.front()) && alnum(v.back());
  for (char c : v) ok = ok && (alnum(c) || c == '.' || c == '-');
  return ok ? Status::Ok() : Bad(field, kRule, v);
}

Status ValidateSubscriptionDays(int64_t days, std::string_view field) {
  if (days >= 1 && days <= 3650) return Status::Ok();
  return Bad(field, "must be 1-3650 days", std::to_string(days));
}

Status ValidateOperator(std::string_view v, std::string_view field) {
  if (v.empty() || v.size() > 64) return Bad(field, "must be 1-64 characters", v);
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) return Bad(field, "must be printable ASCII", v);
  }
  if (v.front() == ' ' || v.back() == ' ') {
    return Bad(field, "must not start or end with a space", v);
  }
  return Status::Ok();
}

Status ValidateReason(std::string_view v, std::string_view field) {
  std::string rule = CheckText(v, 1, 2000, /*allow_newline=*/true, /*trimmed=*/false);
  return rule.empty() ? Status::Ok() : Bad(field, rule, v);
}

Status ValidateSingleLineText(std::string_view v, std::string_view field, size_t min, size_t max) {
  std::string rule = CheckText(v, min, max, /*allow_newline=*/false, /*trimmed=*/true);
  return rule.empty() ? Status::Ok() : Bad(field, rule, v);
}

std::string UriHost(std::string_view uri) {
  size_t start = uri.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = uri.find_first_of(":/?#", start);
  return std::string(uri.substr(start, end == std::string_view::npos ? uri.npos : end - start));
}

}  // namespace medmij
