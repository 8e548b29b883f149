// Fuzz target: one client connection's bytes through the service's HTTP framing (wire.h), the
// router (router.h) and the serialiser, as the server runs them, without sockets.
//
// The first input byte picks how the bytes arrive (in pieces of 1..64 bytes, or at once); the
// rest is what the client sent. Nothing may crash or throw, and:
//   - framing does not depend on how the bytes were cut (the same requests, or the same error);
//   - every answer is a well-formed HTTP/1.1 response head (status line, "Name: value" fields,
//     no bare CR or LF, Content-Length equal to the body sent) with a known status;
//   - a framing error is 400/413/414/431/501/505 with a short message and ends the connection;
//   - no answer carries library text (what() of a C++ exception, unless the client sent that
//     text and it is echoed) or the 500 of a throw;
//   - nothing is framed after a request that ends the connection.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/time.h"
#include "registry/domain/types.h"
#include "registry/http/http_util.h"
#include "registry/http/router.h"
#include "registry/http/wire.h"

namespace {

using namespace medmij;
using namespace medmij::http;

// Concatenation by appending (g++ 12 -O2 warns falsely about chains of operator+).
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}

[[noreturn]] void Fail(const std::string& why, std::string_view context = {}) {
  std::fprintf(stderr, "http_fuzz: %s\n%.*s\n", why.c_str(),
               static_cast<int>(std::min<size_t>(context.size(), 400)), context.data());
  std::abort();
}

// Every list published (the ZAL large enough to go out from its file, with a gzip form),
// one participant, and an archive of version 1 of every list.
class FuzzSource : public ContentSource {
 public:
  explicit FuzzSource(Time at) : snap_(std::make_shared<Snapshot>()) {
    for (ListKind k : kAllLists) {
      const std::string root(Spec(k).root);
      std::string filler = k == ListKind::kZorgaanbiederslijst ? std::string(70'000, ' ') : "";
      auto l = std::make_shared<ServedList>();
      l->list = k;
      l->volgnummer = 2;
      l->tijdstempel = FormatTime(at);
      l->last_modified = at;
      l->last_modified_text = FormatHttpDate(at);
      l->signed_body = std::make_shared<const ServedBody>(
          Cat("<", root, "><ds:Signature/>", filler, "</", root, ">\n"));
      l->unsigned_body =
          std::make_shared<const ServedBody>(Cat("<", root, ">", filler, "</", root, ">\n"));
      if (k == ListKind::kZorgaanbiederslijst) {
        l->signed_gzip = std::make_shared<const ServedBody>(std::string("\x1f\x8b signed", 9));
        l->unsigned_gzip = std::make_shared<const ServedBody>(std::string("\x1f\x8b strict", 9));
      }
      l->versions_json = R"({"versions":[{"volgnummer":1},{"volgnummer":2}]})";
      snap_->lists[static_cast<size_t>(k)] = l;
    }
    snap_->participants_json = R"({"participants":[{"id":"acme"}]})";
    snap_->participant_json["acme"] = R"({"id":"acme"})";
    snap_->last_attempt = snap_->last_success = at;
    snap_->publications_total = 1;
  }
  std::shared_ptr<const Snapshot> Current() const override { return snap_; }
  Result<std::optional<ArchivedVersion>> Archived(ListKind list, uint64_t volgnummer,
                                                  ListForm) const override {
    if (volgnummer != 1) return std::optional<ArchivedVersion>();
    std::string bytes = Cat("<", Spec(list).root, "/>\n");
    return std::optional<ArchivedVersion>(ArchivedVersion{bytes, "00"});
  }
  Status SignerUsable(Time) const override { return Status::Ok(); }

 private:
  std::shared_ptr<Snapshot> snap_;
};

struct Fixture {
  Time now;
  std::unique_ptr<FuzzSource> source;
  RouterOptions router;
  RequestMetrics metrics;
};
Fixture* fixture = nullptr;

// What one way of cutting the bytes framed: each request's method, target and fields, and the
// error (status and message), if any.
struct Framing {
  std::vector<std::string> requests;
  std::string error;
};

std::string Describe(const WireRequest& r) {
  std::string d = Cat(std::to_string(static_cast<int>(r.request.method)), " ", r.request.path);
  for (const auto& [k, v] : r.request.query) d += Cat("?", k, "=", v);
  for (const auto& [k, v] : r.request.headers) d += Cat("|", k, ":", v);
  d += r.keep_alive ? " keep" : " close";
  d += r.http10 ? " 1.0" : " 1.1";
  return d;
}

// Checks one serialised answer; returns the status.
// `input`: what the client sent (the router may echo part of it, e.g. a parameter name).
int CheckResponse(const WireResponse& w, const Reply& reply, bool head, std::string_view input) {
  const std::string& b = w.bytes;
  size_t end = b.find("\r\n\r\n");
  if (end == std::string::npos) Fail("response without an end of head", b);
  std::string_view fields(b.data(), end + 2);
  if (fields.substr(0, 9) != "HTTP/1.1 " || fields.size() < 13 || fields[12] != ' ') {
    Fail("malformed status line", b);
  }
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (fields[i] < '0' || fields[i] > '9') Fail("malformed status code", b);
    status = status * 10 + (fields[i] - '0');
  }
  if (status < 200 || status > 599) Fail("status out of range", b);
  if (std::string_view(ReasonPhrase(status)) == "Unknown") Fail("status without a reason", b);
  // Every field line: a name, ": ", a value; CR and LF only as the CRLF that ends it.
  size_t line_start = fields.find("\r\n") + 2;
  std::optional<size_t> content_length;
  while (line_start < fields.size()) {
    size_t line_end = fields.find("\r\n", line_start);
    std::string_view line = fields.substr(line_start, line_end - line_start);
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos || colon == 0) Fail("malformed field line", line);
    for (char c : line) {
      if (c == '\r' || c == '\n' || c == '\0') Fail("control character in a field", line);
    }
    if (line.substr(0, colon) == "Content-Length") {
      if (content_length) Fail("two Content-Length fields", b);
      content_length = std::stoull(std::string(line.substr(colon + 2)));
    }
    line_start = line_end + 2;
  }
  const size_t inline_body = b.size() - (end + 4);
  const size_t file_body = w.file ? w.file->bytes().size() : 0;
  if (reply.no_content) {
    if (content_length || inline_body != 0 || w.file) Fail("a 304 with a body", b);
  } else {
    if (!content_length) Fail("no Content-Length", b);
    if (head) {
      if (inline_body != 0 || w.file) Fail("a HEAD answer with a body", b);
    } else if (*content_length != inline_body + file_body) {
      Fail("Content-Length differs from the body", b);
    }
  }
  const std::string& body = reply.shared_body ? reply.shared_body->bytes() : reply.body;
  for (std::string_view leak : {"basic_string", "stoull", "stoul", "what()", "std::", "terminate",
                                "exception", "Pistache"}) {
    if (input.find(leak) != std::string_view::npos) continue;
    if (body.find(leak) != std::string::npos || fields.find(leak) != std::string::npos) {
      Fail("library text in an answer", b);
    }
  }
  return status;
}

// Frames `bytes` cut in pieces of `chunk`, routing and serialising each request.
Framing Run(std::string_view bytes, size_t chunk) {
  Framing out;
  RequestParser parser;
  bool ended = false;
  for (size_t off = 0; off < bytes.size() || off == 0; off += chunk) {
    parser.Feed(bytes.substr(off, chunk));
    for (;;) {
      WireRequest request;
      WireError error;
      auto outcome = parser.Next(&request, &error);
      if (outcome == RequestParser::Outcome::kNeedMore) break;
      if (ended) Fail("framed after the connection's last request", bytes);
      if (outcome == RequestParser::Outcome::kError) {
        switch (error.status) {
          case 400:
          case 413:
          case 414:
          case 431:
          case 501:
          case 505:
            break;
          default:
            Fail(Cat("framing error with status ", std::to_string(error.status)), bytes);
        }
        if (error.message.empty() || error.message.size() > 120) Fail("odd error message");
        if (!parser.done()) Fail("parser goes on after an error", bytes);
        Reply r = TextReply(error.status, error.message);
        CheckResponse(SerializeReply(r, false, ConnectionHeader::kClose, "Date: x\r\n"), r, false,
                      bytes);
        out.error = Cat(std::to_string(error.status), " ", error.message);
        ended = true;
        continue;
      }
      if (request.request.path.empty() || request.request.path.front() != '/') {
        Fail("a request without an origin-form path", bytes);
      }
      Reply r =
          Route(*fixture->source, fixture->router, fixture->metrics, request.request, fixture->now);
      if (r.status == 500) Fail("the router answered 500", bytes);
      CheckResponse(SerializeReply(r, request.head, ConnectionHeader::kNone, "Date: x\r\n"), r,
                    request.head, bytes);
      out.requests.push_back(Describe(request));
      if (!request.keep_alive) {
        if (!parser.done()) Fail("parser goes on after the last request", bytes);
        ended = true;
      }
    }
    if (bytes.empty()) break;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  fixture = new Fixture();
  fixture->now = ParseTime("2026-11-22T10:00:30Z", "now").value();
  fixture->source = std::make_unique<FuzzSource>(fixture->now);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t chunk = 1 + data[0] % 64;
  Framing whole = Run(bytes, std::max<size_t>(bytes.size(), 1));
  Framing cut = Run(bytes, chunk);
  if (whole.requests != cut.requests || whole.error != cut.error) {
    Fail(Cat("framing depends on how the bytes arrive (chunk ", std::to_string(chunk), ")"), bytes);
  }
  return 0;
}
