// The HTTP request as the router sees it: plain values, no Pistache. The request framing
// (wire.h) fills one from each request on the wire; tests and fuzzers build one directly or
// from a request target with FromTarget.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace medmij::http {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kPatch, kOptions, kOther };

struct Request {
  Method method = Method::kGet;
  // The request target's path: everything before the first '?', exactly as sent (the router
  // refuses percent-encoding, dot segments and the like itself).
  std::string path;
  // Query parameters in the order sent, names and values as sent (no percent-decoding).
  std::vector<std::pair<std::string, std::string>> query;
  // Request header fields, names as sent (looked up case-insensitively), values trimmed.
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of the first query parameter `name`, or nullopt.
  std::optional<std::string_view> QueryParam(std::string_view name) const;
  // The value of the first header field `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;

  // A request for `target` ("/path?a=1&b"), split the way the service's framing (wire.h)
  // splits it: the path ends at the first '?'; parameters are separated by '&', a name
  // ends at '='; a parameter without '=' has an empty value; for a repeated name the first
  // value counts (later ones are dropped).
  static Request FromTarget(Method method, std::string_view target);
};

}  // namespace medmij::http
