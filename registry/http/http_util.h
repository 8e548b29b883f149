// Pure HTTP helpers of the registry service: conditional requests, HTTP dates, request-target
// checks. No I/O, no clock, no Pistache: unit-tested on their own.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "registry/common/time.h"

namespace medmij::http {

// IMF-fixdate (RFC 9110 5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT". Sub-second parts dropped.
std::string FormatHttpDate(Time t);
// Parses an IMF-fixdate; nullopt for anything else (RFC 9110: an invalid If-Modified-Since is
// ignored, so callers treat nullopt as "no condition").
std::optional<Time> ParseHttpDate(std::string_view text);

// A strong entity tag for `bytes`: "\"<sha256 hex>\"" (quotes included).
std::string StrongEtag(std::string_view bytes);

// RFC 9110 13.1.2: true when the If-None-Match field value `header` matches `etag` (weak
// comparison: W/ prefixes ignored) or is "*". A malformed member never matches; the other
// members still count.
bool IfNoneMatchMatches(std::string_view header, std::string_view etag);

// RFC 9110 13.1.3: true when a representation last modified at `last_modified` has not been
// modified since the If-Modified-Since value `header` (invalid dates never match).
bool NotModifiedSince(std::string_view header, Time last_modified);

// Why a request-target path is refused before routing, or nullopt when it may be routed:
// percent-encoding, dot segments, empty segments ("//"), backslashes, control or non-ASCII
// bytes, or a missing leading '/'. Routing only matches exact names, so this is defence in
// depth and a clear 400 instead of a 404.
std::optional<std::string> RejectPath(std::string_view path);

}  // namespace medmij::http
