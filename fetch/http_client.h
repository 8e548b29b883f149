// HTTP for medmij-fetch, over libcurl: one conditional GET with the limits a polling node needs.
//
// Plain http:// is allowed only to a loopback address (checked on the connected address, after
// name resolution, not on the host name) unless `insecure_http`; https:// verifies the server's
// certificate and name against the system CAs or `cacert`. Redirects are not followed (a 3xx is
// an HTTP status like any other). The body is bounded by `max_size` (announced or not, and
// after decompression), a connection that delivers no data for `read_timeout` is given up, and
// nothing runs past the deadline the caller gives.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "fetch/failure.h"
#include "registry/common/status.h"
#include "registry/common/time.h"

namespace medmij::fetch {

// curl_global_init / curl_global_cleanup: one per process, created in main() before any thread.
class CurlGlobal {
 public:
  static Result<std::unique_ptr<CurlGlobal>> Init();
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;

 private:
  CurlGlobal() = default;
};

struct HttpOptions {
  Millis connect_timeout{10'000};
  Millis read_timeout{60'000};
  uint64_t max_size = uint64_t{512} << 20;
  std::string cacert;  // a PEM bundle; empty: the system CAs
  bool insecure_http = false;
  std::string user_agent = "medmij-fetch";
};

struct HttpResponse {
  long status = 0;
  std::string etag;     // the ETag response header, as sent; empty when none
  int retry_after = 0;  // Retry-After in seconds (503, 429), 0 when none or not a number
  std::string body;     // of a 200; empty otherwise
};

// What one attempt gave: a response (any status), or a failure with a reason. A failure may carry
// the status of a response that was given up on (too large, truncated); 0 otherwise.
struct HttpAttempt {
  std::variant<HttpResponse, Failure> result;
  bool ok() const { return std::holds_alternative<HttpResponse>(result); }
  const HttpResponse& response() const { return std::get<HttpResponse>(result); }
  const Failure& failure() const { return std::get<Failure>(result); }
};

// One connection cache; not safe for concurrent use (one client per thread).
class HttpClient {
 public:
  // REQUIRES: a CurlGlobal exists.
  static Result<std::unique_ptr<HttpClient>> Create(const HttpOptions& options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GET `url`, with `If-None-Match: <if_none_match>` unless it is empty, given up at `deadline`.
  HttpAttempt Get(const std::string& url, const std::string& if_none_match,
                  std::chrono::steady_clock::time_point deadline);

 private:
  struct Impl;
  HttpClient();
  std::unique_ptr<Impl> impl_;
};

// The checked base URL: http:// or https://, a host, an optional port and path; no user or
// password, query or fragment. Returned without a trailing slash. kInvalidArgument naming
// --base-url otherwise, and for http:// to a host that is not loopback (127.0.0.0/8, ::1,
// localhost) unless `insecure_http`.
Result<std::string> CheckBaseUrl(const std::string& url, bool insecure_http);

// Whether `ip` (a numeric IPv4 or IPv6 address, as libcurl reports it) is a loopback address.
bool IsLoopbackAddress(const std::string& ip);

}  // namespace medmij::fetch
