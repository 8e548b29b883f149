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
// Parses an HTTP-date in any of the three formats RFC 9110 5.6.7 obliges a recipient to accept:
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"  (two-digit year: the one that is not more
//                                                  than 50 years after `now`)
//   asctime      "Sun Nov  6 08:49:37 1994"        (day space-padded or two digits)
// The weekday must be the date's. nullopt for anything else (RFC 9110: an invalid
// If-Modified-Since is ignored, so callers treat nullopt as "no condition").
std::optional<Time> ParseHttpDate(std::string_view text, Time now);

// A strong entity tag for `bytes`: "\"<sha256 hex>\"" (quotes included).
std::string StrongEtag(std::string_view bytes);

// RFC 9110 13.1.2: true when the If-None-Match field value `header` matches `etag` (weak
// comparison: W/ prefixes ignored) or is "*". A malformed member never matches; the other
// members still count.
bool IfNoneMatchMatches(std::string_view header, std::string_view etag);

// RFC 9110 13.1.3: true when a representation last modified at `last_modified` has not been
// modified since the If-Modified-Since value `header` (invalid dates never match; `now`
// resolves an RFC 850 two-digit year).
bool NotModifiedSince(std::string_view header, Time last_modified, Time now);

// RFC 9110 12.5.3: true when the Accept-Encoding field value `header` makes the gzip coding
// acceptable: "gzip" or "x-gzip" with a q-value above 0, or "*" above 0 when gzip is not named.
// A missing field (nullopt) or an empty one accepts no coding but identity.
bool AcceptsGzip(std::optional<std::string_view> header);

// Why a request-target path is refused before routing, or nullopt when it may be routed:
// percent-encoding, dot segments, empty segments ("//"), backslashes, control or non-ASCII
// bytes, or a missing leading '/'. Routing only matches exact names, so this is defence in
// depth and a clear 400 instead of a 404.
std::optional<std::string> RejectPath(std::string_view path);

}  // namespace medmij::http
