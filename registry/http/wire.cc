#include "registry/http/wire.h"

#include <strings.h>

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace medmij::http {
namespace {

// tchar (RFC 9110 5.6.2).
bool IsTchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsTchar(c)) return false;
  }
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `f` with each non-empty member of a comma-separated list (RFC 9110 5.6.1), trimmed.
template <typename F>
void ForEachMember(std::string_view list, F f) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view member = TrimOws(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (!member.empty()) f(member);
  }
}

Method ToMethod(std::string_view m) {
  if (m == "GET") return Method::kGet;
  if (m == "HEAD") return Method::kHead;
  if (m == "POST") return Method::kPost;
  if (m == "PUT") return Method::kPut;
  if (m == "DELETE") return Method::kDelete;
  if (m == "PATCH") return Method::kPatch;
  if (m == "OPTIONS") return Method::kOptions;
  return Method::kOther;
}

// Fields that may appear once: a repeat leaves it open which one counts (a proxy and we could
// disagree), so it is refused.
constexpr std::array<std::string_view, 8> kSingletons = {"Host",
                                                         "Authorization",
                                                         "Proxy-Authorization",
                                                         "If-Modified-Since",
                                                         "If-Range",
                                                         "If-Unmodified-Since",
                                                         "Range",
                                                         "Content-Type"};
// List fields the router or the framing reads, combined into one value when repeated.
constexpr std::array<std::string_view, 4> kCombined = {"If-None-Match", "Accept-Encoding",
                                                       "Connection", "Transfer-Encoding"};

template <size_t N>
bool OneOf(std::string_view name, const std::array<std::string_view, N>& names) {
  for (std::string_view n : names) {
    if (EqualsIgnoreCase(name, n)) return true;
  }
  return false;
}

// uri-host [ ":" port ] (RFC 9110 7.2), checked by its characters: a reg-name, an IPv4 address
// or a bracketed IP literal, then an optional all-digit port. Empty is valid.
bool ValidHost(std::string_view host) {
  std::string_view name = host;
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    for (char c : host.substr(1, close - 1)) {
      bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                c == ':' || c == '.';
      if (!ok) return false;
    }
    name = {};
    host.remove_prefix(close + 1);
    if (!host.empty() && host.front() != ':') return false;
  } else {
    size_t colon = host.find(':');
    name = host.substr(0, colon);
    host = colon == std::string_view::npos ? std::string_view() : host.substr(colon);
  }
  for (unsigned char c : name) {
    // unreserved / pct-encoded / sub-delims
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    for (char extra : std::string_view("-._~%!$&'()*+,;=")) ok = ok || c == extra;
    if (!ok) return false;
  }
  if (!host.empty()) {  // ":" port
    if (host.size() > 6) return false;
    for (char c : host.substr(1)) {
      if (c < '0' || c > '9') return false;
    }
  }
  return true;
}

}  // namespace

RequestParser::RequestParser(WireLimits limits) : limits_(limits) {}

void RequestParser::Feed(std::string_view bytes) {
  if (done_) return;
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = scan_ = 0;
  } else if (pos_ > 64 * 1024) {
    buf_.erase(0, pos_);
    scan_ -= pos_;
    pos_ = 0;
  }
  buf_.append(bytes);
}

bool RequestParser::InRequest() const {
  for (size_t i = pos_; i < buf_.size(); ++i) {
    if (buf_[i] != '\r' && buf_[i] != '\n') return true;
  }
  return false;
}

RequestParser::Outcome RequestParser::Fail(WireError* error, int status, std::string message) {
  done_ = true;
  buf_.clear();
  pos_ = scan_ = 0;
  error->status = status;
  error->message = std::move(message);
  return Outcome::kError;
}

RequestParser::Outcome RequestParser::Next(WireRequest* request, WireError* error) {
  if (done_) return Outcome::kNeedMore;
  // Empty lines before a request line are ignored (RFC 9112 2.2).
  while (pos_ < buf_.size()) {
    if (buf_[pos_] == '\n') {
      ++pos_;
    } else if (buf_[pos_] == '\r' && pos_ + 1 < buf_.size() && buf_[pos_ + 1] == '\n') {
      pos_ += 2;
    } else {
      break;
    }
  }
  if (scan_ < pos_) scan_ = pos_;
  // The head ends with an empty line: "\n\n" or "\n\r\n".
  size_t limit = pos_ + limits_.max_head_bytes;
  while (scan_ < buf_.size() && scan_ < limit) {
    size_t nl = buf_.find('\n', scan_);
    if (nl == std::string::npos || nl >= limit) {
      scan_ = std::min(buf_.size(), limit);
      break;
    }
    size_t next = nl + 1;
    if (next < buf_.size() && buf_[next] == '\n') return ParseHead(next + 1, request, error);
    if (next + 1 < buf_.size() && buf_[next] == '\r' && buf_[next + 1] == '\n') {
      return ParseHead(next + 2, request, error);
    }
    if (next == buf_.size() || (next + 1 == buf_.size() && buf_[next] == '\r')) {
      scan_ = nl;  // the empty line may still come
      break;
    }
    scan_ = next;
  }
  if (buf_.size() - pos_ >= limits_.max_head_bytes) {
    size_t first_nl = buf_.find('\n', pos_);
    if (first_nl == std::string::npos || first_nl >= limit) {
      return Fail(error, 414, "request line too long");
    }
    return Fail(error, 431, "request header fields too large");
  }
  return Outcome::kNeedMore;
}

RequestParser::Outcome RequestParser::ParseHead(size_t end, WireRequest* out, WireError* error) {
  std::string_view head(buf_.data() + pos_, end - pos_);
  std::vector<std::string_view> lines;
  while (!head.empty()) {
    size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos)
      return Fail(error, 400, "bare CR in the request");
    if (line.empty()) break;
    lines.push_back(line);
  }
  if (lines.empty()) return Fail(error, 400, "malformed request line");
  if (lines.size() - 1 > limits_.max_fields) {
    return Fail(error, 431, "too many request header fields");
  }

  // request-line = method SP request-target SP HTTP-version
  std::string_view line = lines.front();
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(error, 400, "malformed request line");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Fail(error, 400, "malformed request method");
  if (target.empty()) return Fail(error, 400, "malformed request target");
  for (unsigned char c : target) {
    if (c < 0x21 || c > 0x7e) return Fail(error, 400, "malformed request target");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return Fail(error, 400, "malformed HTTP version");
  }
  if (version[5] != '1') return Fail(error, 505, "only HTTP/1.0 and HTTP/1.1 are supported");
  const bool http10 = version[7] == '0';

  // origin-form, or absolute-form whose authority replaces Host (RFC 9112 3.2.2).
  std::string_view path_and_query = target;
  if (target.front() != '/') {
    size_t scheme_end = target.find("://");
    std::string_view scheme =
        scheme_end == std::string_view::npos ? std::string_view() : target.substr(0, scheme_end);
    if (!EqualsIgnoreCase(scheme, "http") && !EqualsIgnoreCase(scheme, "https")) {
      return Fail(error, 400, "malformed request target");
    }
    std::string_view rest = target.substr(scheme_end + 3);
    size_t path_start = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, path_start);
    if (authority.empty() || !ValidHost(authority)) {
      return Fail(error, 400, "malformed request target");
    }
    path_and_query =
        path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  }
  std::string origin;
  if (path_and_query.empty() || path_and_query.front() == '?') origin = "/";
  origin.append(path_and_query);

  WireRequest r;
  r.request = Request::FromTarget(ToMethod(method), origin);
  r.http10 = http10;
  r.head = r.request.method == Method::kHead;

  int hosts = 0;
  std::optional<uint64_t> content_length;
  bool close = false, keep_alive_token = false, chunked = false;
  std::string_view transfer_encoding;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view field = lines[i];
    if (field.front() == ' ' || field.front() == '\t') {
      return Fail(error, 400, "obsolete line folding in the request header");
    }
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || !IsToken(field.substr(0, colon))) {
      return Fail(error, 400, "malformed request header field");
    }
    std::string_view name = field.substr(0, colon);
    std::string_view value = TrimOws(field.substr(colon + 1));
    for (unsigned char c : value) {
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return Fail(error, 400, "control character in header field " + Printable(name));
      }
    }
    if (OneOf(name, kSingletons)) {
      if (r.request.Header(name)) {
        return Fail(error, 400, "repeated header field " + std::string(name));
      }
    }
    if (EqualsIgnoreCase(name, "Host")) {
      ++hosts;
      if (!ValidHost(value)) return Fail(error, 400, "malformed Host header field");
    } else if (EqualsIgnoreCase(name, "Content-Length")) {
      bool valid = true, equal = true, any = false;
      ForEachMember(value, [&](std::string_view member) {
        any = true;
        uint64_t n = 0;
        for (char c : member) {
          if (c < '0' || c > '9') {
            valid = false;
            return;
          }
          // Saturates far above any limit instead of overflowing.
          n = n > (uint64_t{1} << 40) ? n : n * 10 + static_cast<uint64_t>(c - '0');
        }
        if (content_length && *content_length != n) equal = false;
        content_length = n;
      });
      if (!valid || !any) {
        return Fail(error, 400, "Content-Length must be a decimal number of bytes");
      }
      if (!equal) return Fail(error, 400, "conflicting Content-Length values");
    }
    // Repeated list fields become one value (RFC 9110 5.3).
    if (OneOf(name, kCombined)) {
      bool merged = false;
      for (auto& [n, v] : r.request.headers) {
        if (EqualsIgnoreCase(n, name)) {
          if (!value.empty()) {
            if (!v.empty()) v += ", ";
            v.append(value);
          }
          merged = true;
          break;
        }
      }
      if (merged) continue;
    }
    r.request.headers.emplace_back(std::string(name), std::string(value));
  }
  if (auto conn = r.request.Header("Connection")) {
    ForEachMember(*conn, [&](std::string_view option) {
      if (EqualsIgnoreCase(option, "close")) close = true;
      if (EqualsIgnoreCase(option, "keep-alive")) keep_alive_token = true;
    });
  }
  if (auto te = r.request.Header("Transfer-Encoding")) transfer_encoding = *te;

  // RFC 9112 3.2: exactly one Host in HTTP/1.1.
  if (hosts > 1) return Fail(error, 400, "repeated header field Host");
  if (hosts == 0 && !http10) return Fail(error, 400, "missing Host header field");
  // RFC 9112 6.1 and 6.3: the framing must be unambiguous.
  if (r.request.Header("Transfer-Encoding")) {
    if (http10) return Fail(error, 400, "Transfer-Encoding in an HTTP/1.0 request");
    if (content_length) return Fail(error, 400, "both Transfer-Encoding and Content-Length");
    std::string_view last;
    bool other = false;
    ForEachMember(transfer_encoding, [&](std::string_view coding) {
      if (!last.empty()) other = true;
      last = coding;
    });
    if (!EqualsIgnoreCase(last, "chunked")) {
      return Fail(error, 400, "the last transfer coding must be chunked");
    }
    if (other) return Fail(error, 501, "transfer codings other than chunked are not supported");
    chunked = true;
  }
  if (content_length && *content_length > limits_.max_body_bytes) {
    return Fail(error, 413, "request body too large");
  }
  const bool has_body = chunked || (content_length && *content_length > 0);
  r.keep_alive = !close && !has_body && (!http10 || keep_alive_token);

  pos_ = scan_ = end;
  if (!r.keep_alive) {
    done_ = true;
    buf_.clear();
    pos_ = scan_ = 0;
  }
  *out = std::move(r);
  return Outcome::kRequest;
}

WireResponse SerializeReply(const Reply& reply, bool head, ConnectionHeader connection,
                            std::string_view date_line) {
  WireResponse w;
  const std::string* body = reply.shared_body ? &reply.shared_body->bytes() : &reply.body;
  const bool from_file = reply.shared_body && reply.shared_body->fd() >= 0;
  const bool inline_body = !head && !reply.no_content && !from_file;
  std::string& out = w.bytes;
  out.reserve(320 + reply.headers.size() + (inline_body ? body->size() : 0));
  out += "HTTP/1.1 ";
  out += std::to_string(reply.status);
  out += ' ';
  out += ReasonPhrase(reply.status);
  out += "\r\n";
  out += date_line;
  out += "Server: medmij-registry\r\n";
  if (connection == ConnectionHeader::kClose) out += "Connection: close\r\n";
  if (connection == ConnectionHeader::kKeepAlive) out += "Connection: keep-alive\r\n";
  if (!reply.no_content) {
    out += "Content-Type: ";
    out += reply.content_type;
    out += "\r\nContent-Length: ";
    out += std::to_string(body->size());
    out += "\r\n";
  }
  out += "X-Content-Type-Options: nosniff\r\n";
  out += reply.headers;
  out += "\r\n";
  if (inline_body) out += *body;
  if (from_file && !head && !reply.no_content) w.file = reply.shared_body;
  return w;
}

}  // namespace medmij::http
