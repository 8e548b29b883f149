#include "fetch/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cstring>

namespace medmij::fetch {

namespace {

using Steady = std::chrono::steady_clock;

std::string Seconds(Millis d) {
  const int64_t ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

// What the callbacks of one transfer share.
struct Transfer {
  const HttpOptions* options = nullptr;
  std::string body;
  bool connected = false;
  bool too_large = false;
  bool read_timed_out = false;
  std::string refused_address;  // plain http to this non-loopback address was refused
  Steady::time_point last_activity;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * n;
  t->last_activity = Steady::now();
  if (t->body.size() + bytes > t->options->max_size) {
    t->too_large = true;
    return 0;  // CURLE_WRITE_ERROR
  }
  t->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char*, size_t size, size_t n, void* user) {
  static_cast<Transfer*>(user)->last_activity = Steady::now();
  return size * n;
}

// After the connection is made (and TLS is done), before the request is sent: the address it
// reached is known here, whatever the host name resolved to.
int OnConnected(void* user, char*, char*, int, int) {
  auto* t = static_cast<Transfer*>(user);
  t->connected = true;
  t->last_activity = Steady::now();
  return CURL_PREREQFUNC_OK;
}

int OnConnectedPlainHttp(void* user, char* primary_ip, char* local_ip, int primary_port,
                         int local_port) {
  auto* t = static_cast<Transfer*>(user);
  if (!IsLoopbackAddress(primary_ip)) {
    t->refused_address = primary_ip;
    return CURL_PREREQFUNC_ABORT;
  }
  return OnConnected(user, primary_ip, local_ip, primary_port, local_port);
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->connected && Steady::now() - t->last_activity > t->options->read_timeout) {
    t->read_timed_out = true;
    return 1;  // CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// One URL part, or "" when absent.
std::string UrlPart(CURLU* u, CURLUPart part) {
  char* v = nullptr;
  if (curl_url_get(u, part, &v, 0) != CURLUE_OK || v == nullptr) return "";
  std::string out(v);
  curl_free(v);
  return out;
}

std::string HeaderValue(CURL* c, const char* name) {
  curl_header* h = nullptr;
  if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || h == nullptr) return "";
  return h->value;
}

Failure TransportFailure(CURLcode rc, const Transfer& t, const char* error, const HttpOptions& o,
                         Steady::time_point deadline) {
  const std::string what = error[0] != '\0' ? error : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return {Reason::kDns, "cannot resolve: " + what};
    case CURLE_COULDNT_CONNECT:
      return {Reason::kConnect, "cannot connect: " + what};
    case CURLE_OPERATION_TIMEDOUT:
      if (!t.connected && Steady::now() < deadline) {
        return {Reason::kTimeout, "connect timeout (" + Seconds(o.connect_timeout) + ")"};
      }
      return {Reason::kTimeout, "--deadline reached: " + what, /*deadline=*/true};
    case CURLE_ABORTED_BY_CALLBACK:
      if (!t.refused_address.empty()) {
        return {Reason::kInsecureHttp, "plain http:// to " + t.refused_address +
                                           ", which is not a loopback address; use https:// "
                                           "(or --insecure-http)"};
      }
      if (t.read_timed_out) {
        return {Reason::kTimeout, "read timeout: no data for " + Seconds(o.read_timeout)};
      }
      return {Reason::kTransfer, what};
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
      if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        return {Reason::kTooLarge,
                "the body is larger than --max-size " + std::to_string(o.max_size) + " bytes"};
      }
      return {Reason::kTransfer, what};
    case CURLE_PARTIAL_FILE:
      return {Reason::kTruncated, "truncated body: " + what};
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return {Reason::kTls, "TLS: " + what};
    default:
      return {Reason::kTransfer, what};
  }
}

}  // namespace

Result<std::unique_ptr<CurlGlobal>> CurlGlobal::Init() {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return Status::Internal("libcurl: curl_global_init failed");
  }
  const curl_version_info_data* v = curl_version_info(CURLVERSION_NOW);
  if (v == nullptr || (v->features & CURL_VERSION_SSL) == 0) {
    curl_global_cleanup();
    return Status::Internal("libcurl was built without TLS");
  }
  return std::unique_ptr<CurlGlobal>(new CurlGlobal());
}

CurlGlobal::~CurlGlobal() {
  curl_global_cleanup();
}

struct HttpClient::Impl {
  HttpOptions options;
  std::unique_ptr<CURL, CurlEasyDeleter> easy;
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() = default;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(const HttpOptions& options) {
  std::unique_ptr<HttpClient> c(new HttpClient());
  c->impl_->options = options;
  c->impl_->easy.reset(curl_easy_init());
  if (!c->impl_->easy) return Status::Internal("libcurl: curl_easy_init failed");
  return c;
}

HttpAttempt HttpClient::Get(const std::string& url, const std::string& if_none_match,
                            Steady::time_point deadline) {
  const HttpOptions& o = impl_->options;
  CURL* c = impl_->easy.get();
  curl_easy_reset(c);  // keeps the connection cache, clears every option

  const auto left = std::chrono::duration_cast<Millis>(deadline - Steady::now());
  if (left <= Millis(0)) return {Failure{Reason::kTimeout, "--deadline reached", true}};
  const bool plain_http = url.rfind("http://", 0) == 0;

  Transfer t;
  t.options = &o;
  t.last_activity = Steady::now();
  char error[CURL_ERROR_SIZE] = {0};
  std::unique_ptr<curl_slist, CurlSlistDeleter> headers;
  if (!if_none_match.empty()) {
    headers.reset(curl_slist_append(nullptr, ("If-None-Match: " + if_none_match).c_str()));
  }

  bool set = true;
  const auto opt = [&](CURLoption option, auto value) {
    set = set && curl_easy_setopt(c, option, value) == CURLE_OK;
  };
  opt(CURLOPT_URL, url.c_str());
  opt(CURLOPT_PROTOCOLS_STR, "http,https");
  opt(CURLOPT_FOLLOWLOCATION, 0L);
  opt(CURLOPT_NOSIGNAL, 1L);
  opt(CURLOPT_ERRORBUFFER, error);
  opt(CURLOPT_USERAGENT, o.user_agent.c_str());
  opt(CURLOPT_ACCEPT_ENCODING, "");  // whatever this libcurl decodes; the limit is on the result
  opt(CURLOPT_HTTPHEADER, headers.get());
  opt(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(o.connect_timeout, left).count()));
  opt(CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
  opt(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(o.max_size));
  opt(CURLOPT_SSL_VERIFYPEER, 1L);
  opt(CURLOPT_SSL_VERIFYHOST, 2L);
  if (!o.cacert.empty()) opt(CURLOPT_CAINFO, o.cacert.c_str());
  opt(CURLOPT_WRITEFUNCTION, OnBody);
  opt(CURLOPT_WRITEDATA, &t);
  opt(CURLOPT_HEADERFUNCTION, OnHeader);
  opt(CURLOPT_HEADERDATA, &t);
  opt(CURLOPT_PREREQFUNCTION, plain_http && !o.insecure_http ? OnConnectedPlainHttp : OnConnected);
  opt(CURLOPT_PREREQDATA, &t);
  opt(CURLOPT_NOPROGRESS, 0L);
  opt(CURLOPT_XFERINFOFUNCTION, OnProgress);
  opt(CURLOPT_XFERINFODATA, &t);
  if (!set) return {Failure{Reason::kTransfer, "libcurl refused an option"}};

  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return {TransportFailure(rc, t, error, o, deadline)};
  HttpResponse r;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  r.etag = HeaderValue(c, "ETag");
  const std::string retry_after = HeaderValue(c, "Retry-After");
  if (!retry_after.empty() && retry_after.size() <= 5 &&
      std::all_of(retry_after.begin(), retry_after.end(),
                  [](char ch) { return ch >= '0' && ch <= '9'; })) {
    r.retry_after = std::stoi(retry_after);
  }
  if (r.status == 200) r.body = std::move(t.body);
  return {std::move(r)};
}

bool IsLoopbackAddress(const std::string& ip) {
  in_addr v4{};
  if (inet_pton(AF_INET, ip.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, ip.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

Result<std::string> CheckBaseUrl(const std::string& url, bool insecure_http) {
  const auto bad = [&](const std::string& why) {
    return Status::Invalid("--base-url: '" + url + "' " + why);
  };
  std::unique_ptr<CURLU, CurlUrlDeleter> u(curl_url());
  if (!u) return Status::Internal("libcurl: curl_url failed");
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return bad("is not a URL (http://HOST[:PORT][/PATH] or https://...)");
  }
  const std::string scheme = UrlPart(u.get(), CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https") return bad("must be http:// or https://");
  if (url.rfind(scheme + "://", 0) != 0) return bad("must start with " + scheme + "://");
  if (!UrlPart(u.get(), CURLUPART_USER).empty() || !UrlPart(u.get(), CURLUPART_PASSWORD).empty()) {
    return bad("must not hold a user or password");
  }
  if (!UrlPart(u.get(), CURLUPART_QUERY).empty() || url.find('?') != std::string::npos) {
    return bad("must not have a query");
  }
  if (!UrlPart(u.get(), CURLUPART_FRAGMENT).empty() || url.find('#') != std::string::npos) {
    return bad("must not have a fragment");
  }
  std::string host = UrlPart(u.get(), CURLUPART_HOST);
  if (host.empty()) return bad("has no host");
  if (scheme == "http" && !insecure_http) {
    std::string bare = host;
    if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']') {
      bare = bare.substr(1, bare.size() - 2);
    }
    if (bare != "localhost" && !IsLoopbackAddress(bare)) {
      return bad(
          "is plain http:// to a host that is not loopback; use https:// (or "
          "--insecure-http for a test or a local nginx)");
    }
  }
  std::string out = url;
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (out.size() <= scheme.size() + 3) return bad("has no host");
  return out;
}

}  // namespace medmij::fetch
