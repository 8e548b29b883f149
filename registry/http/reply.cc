#include "registry/http/reply.h"

namespace medmij::http {

Reply TextReply(int status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  if (r.body.empty() || r.body.back() != '\n') r.body.push_back('\n');
  r.headers = "Cache-Control: no-store\r\n";
  return r;
}

Reply JsonReply(int status, std::string body, std::string_view cache_control) {
  Reply r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  r.body.push_back('\n');
  r.headers = "Cache-Control: " + std::string(cache_control) + "\r\n";
  return r;
}

Reply NotFound() {
  return TextReply(404, "not found");
}

Reply MethodNotAllowed() {
  Reply r = TextReply(405, "method not allowed");
  r.headers += "Allow: GET, HEAD\r\n";
  return r;
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kFailedPrecondition:
    case Status::Code::kAlreadyExists:
      return 409;
    default:
      return 500;
  }
}

Reply ErrorReply(const Status& s) {
  int code = HttpStatusFor(s);
  return TextReply(code, code >= 500 ? std::string("internal error") : s.message());
}

std::string Printable(std::string_view s) {
  std::string out(s.substr(0, 40));
  if (s.size() > 40) out += "...";
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return out;
}

std::optional<Reply> RejectQuery(const Request& request,
                                 std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : request.query) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || name == a;
    if (!ok) return TextReply(400, "unknown query parameter '" + Printable(name) + "'");
  }
  return std::nullopt;
}

const char* ReasonPhrase(int code) {
  switch (code) {
    case 200:
      return "OK";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

}  // namespace medmij::http
