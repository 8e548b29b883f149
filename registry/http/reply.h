// One HTTP response before serialisation, the helpers every endpoint builds its replies with,
// and the one place that maps a Status to an HTTP status code.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "registry/common/status.h"
#include "registry/http/request.h"
#include "registry/http/served.h"

namespace medmij::http {

struct Reply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string headers;  // extra header lines, each "Name: value\r\n"
  std::string body;
  std::shared_ptr<const ServedBody> shared_body;  // instead of `body`
  bool no_content = false;                        // 304: neither body nor Content-Length
};

// A plain-text reply, the body ending in one newline, never cached.
Reply TextReply(int status, std::string body);
// A JSON document (`body`, a newline appended) with the given Cache-Control.
Reply JsonReply(int status, std::string body, std::string_view cache_control = "no-store");
// 404 "not found".
Reply NotFound();
// 405 for a path that exists but only answers GET and HEAD.
Reply MethodNotAllowed();

// The HTTP status for a failed operation: kInvalidArgument 400, kNotFound 404,
// kFailedPrecondition and kAlreadyExists 409, anything else 500. REQUIRES: !s.ok().
int HttpStatusFor(const Status& s);
// The reply for a failure: 4xx carry the Status's message (it names the parameter or rule);
// 5xx say only "internal error" (never internals).
Reply ErrorReply(const Status& s);

// 400 naming the first query parameter that is not in `allowed`, or nullopt.
std::optional<Reply> RejectQuery(const Request& request,
                                 std::initializer_list<std::string_view> allowed);

// `s` made safe to echo in a reply: at most 40 bytes (then "..."), bytes outside printable
// ASCII shown as '?'.
std::string Printable(std::string_view s);

// "OK", "Not Found", ... for the codes the service sends; "Unknown" otherwise.
const char* ReasonPhrase(int code);

}  // namespace medmij::http
