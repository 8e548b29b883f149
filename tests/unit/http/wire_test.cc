// HTTP/1.1 framing (RFC 9112) without sockets: what the request parser frames, what it refuses
// and with which status, and how a Reply is serialised.
#include "registry/http/wire.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace medmij::http {
namespace {

struct Framed {
  std::vector<WireRequest> requests;
  std::optional<WireError> error;
};

// Everything `bytes` frames, fed in pieces of `chunk` bytes (0: all at once).
Framed Frame(std::string_view bytes, size_t chunk = 0, WireLimits limits = {}) {
  RequestParser p(limits);
  Framed f;
  auto drain = [&] {
    for (;;) {
      WireRequest r;
      WireError e;
      auto outcome = p.Next(&r, &e);
      if (outcome == RequestParser::Outcome::kNeedMore) return;
      if (outcome == RequestParser::Outcome::kError) {
        f.error = e;
        return;
      }
      f.requests.push_back(std::move(r));
    }
  };
  if (chunk == 0) chunk = bytes.size();
  for (size_t off = 0; off < bytes.size(); off += chunk) {
    p.Feed(bytes.substr(off, chunk));
    drain();
  }
  return f;
}

int ErrorStatus(std::string_view bytes) {
  Framed f = Frame(bytes);
  return f.error ? f.error->status : 0;
}

TEST(RequestParser, FramesOneRequestWithItsFields) {
  Framed f = Frame(
      "GET /MedMij_Whitelist.xml?api=2 HTTP/1.1\r\nHost: example.nl\r\n"
      "If-None-Match: \"a\"\r\nAccept-Encoding:gzip \r\n\r\n");
  ASSERT_FALSE(f.error);
  ASSERT_EQ(f.requests.size(), 1u);
  const WireRequest& r = f.requests[0];
  EXPECT_EQ(r.request.method, Method::kGet);
  EXPECT_EQ(r.request.path, "/MedMij_Whitelist.xml");
  EXPECT_EQ(r.request.QueryParam("api"), "2");
  EXPECT_EQ(r.request.Header("if-none-match"), "\"a\"");
  EXPECT_EQ(r.request.Header("Accept-Encoding"), "gzip");
  EXPECT_FALSE(r.http10);
  EXPECT_FALSE(r.head);
  EXPECT_TRUE(r.keep_alive);
}

TEST(RequestParser, PipelinedRequestsAreFramedInOrderWhateverTheChunking) {
  std::string three =
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
      "GET /never HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t chunk : {0, 1, 2, 7, 31}) {
    SCOPED_TRACE(chunk);
    Framed f = Frame(three, chunk);
    ASSERT_FALSE(f.error);
    // After "Connection: close" nothing more is framed (RFC 9112 9.6).
    ASSERT_EQ(f.requests.size(), 3u);
    EXPECT_EQ(f.requests[0].request.path, "/a");
    EXPECT_EQ(f.requests[1].request.path, "/b");
    EXPECT_TRUE(f.requests[1].head);
    EXPECT_EQ(f.requests[2].request.path, "/c");
    EXPECT_TRUE(f.requests[0].keep_alive);
    EXPECT_FALSE(f.requests[2].keep_alive);
  }
}

TEST(RequestParser, ConnectionCloseAndHttp10EndTheConnection) {
  auto keep = [](std::string_view head) {
    Framed f = Frame(head);
    EXPECT_FALSE(f.error) << head;
    return !f.requests.empty() && f.requests[0].keep_alive;
  };
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive, CLOSE\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo\r\nConnection: close\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_FALSE(keep("GET / HTTP/1.0\r\nHost: x\r\nConnection: close, keep-alive\r\n\r\n"));
  EXPECT_TRUE(keep("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_TRUE(keep("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_TRUE(keep("GET / HTTP/1.2\r\nHost: x\r\n\r\n"));  // a higher minor is 1.1
  Framed f = Frame("GET / HTTP/1.0\r\n\r\n");
  ASSERT_EQ(f.requests.size(), 1u);
  EXPECT_TRUE(f.requests[0].http10);
}

TEST(RequestParser, HostIsRequiredOnceInHttp11) {
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(Frame("GET / HTTP/1.1\r\n\r\n").error->message, "missing Host header field");
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: a:x\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"), 400);
  // Valid forms: a name, an IPv4 address with port, an IP literal, and empty (RFC 9112 3.2).
  for (const char* host : {"example.nl", "127.0.0.1:8080", "[::1]:80", ""}) {
    Framed f = Frame(std::string("GET / HTTP/1.1\r\nHost: ") + host + "\r\n\r\n");
    EXPECT_FALSE(f.error) << host;
  }
  // Absolute-form: the path is taken from the target.
  Framed abs = Frame("GET http://example.nl/MedMij_Whitelist.xml?x=1 HTTP/1.1\r\nHost: y\r\n\r\n");
  ASSERT_EQ(abs.requests.size(), 1u);
  EXPECT_EQ(abs.requests[0].request.path, "/MedMij_Whitelist.xml");
  EXPECT_EQ(abs.requests[0].request.QueryParam("x"), "1");
  EXPECT_EQ(ErrorStatus("GET ftp://example.nl/ HTTP/1.1\r\nHost: y\r\n\r\n"), 400);
}

TEST(RequestParser, AmbiguousFramingIsRefused) {
  // RFC 9112 6.3: conflicting Content-Length values are unrecoverable.
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2"
                        "\r\n\r\n"),
            400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n"), 400);
  for (const char* odd : {"-1", "+1", "1.0", "0x10", "", " ", "99999999999999999999999999"}) {
    SCOPED_TRACE(odd);
    Framed f =
        Frame(std::string("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: ") + odd + "\r\n\r\n");
    ASSERT_TRUE(f.error);
    // The huge one is a number, too large to take; the rest are not numbers.
    EXPECT_TRUE(f.error->status == 400 || f.error->status == 413) << f.error->status;
  }
  EXPECT_EQ(
      ErrorStatus("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n"),
      413);
  // Equal repeats are one value; a zero-length body keeps the connection open.
  Framed same = Frame(
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\ncontent-length: 0, 0"
      "\r\n\r\n");
  ASSERT_EQ(same.requests.size(), 1u);
  EXPECT_TRUE(same.requests[0].keep_alive);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                        "Content-Length: 3\r\n\r\n"),
            400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            501);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
  // A body is never read: the request is answered and the connection closed.
  Framed body = Frame(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\n"
      "Host: x\r\n\r\n");
  ASSERT_FALSE(body.error);
  ASSERT_EQ(body.requests.size(), 1u);
  EXPECT_FALSE(body.requests[0].keep_alive);
  EXPECT_EQ(ErrorStatus("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\n\r\n"), 413);
}

TEST(RequestParser, FieldsThatMayAppearOnceAreRefusedWhenRepeated) {
  for (const char* name : {"Authorization", "Proxy-Authorization", "If-Modified-Since",
                           "If-Unmodified-Since", "If-Range", "Range", "Content-Type"}) {
    SCOPED_TRACE(name);
    Framed f = Frame(std::string("GET / HTTP/1.1\r\nHost: x\r\n") + name + ": a\r\n" + name +
                     ": a\r\n\r\n");
    ASSERT_TRUE(f.error);
    EXPECT_EQ(f.error->status, 400);
    EXPECT_EQ(f.error->message, std::string("repeated header field ") + name);
  }
  // Case differs, still the same field.
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: x\r\nauthorization: Bearer a\r\n"
                        "AUTHORIZATION: Bearer b\r\n\r\n"),
            400);
}

TEST(RequestParser, RepeatedListFieldsAreCombined) {
  Framed f = Frame(
      "GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"a\"\r\nX: 1\r\n"
      "if-none-match: \"b\"\r\nAccept-Encoding: br\r\nAccept-Encoding: gzip\r\n\r\n");
  ASSERT_EQ(f.requests.size(), 1u);
  EXPECT_EQ(f.requests[0].request.Header("If-None-Match"), "\"a\", \"b\"");
  EXPECT_EQ(f.requests[0].request.Header("Accept-Encoding"), "br, gzip");
}

TEST(RequestParser, MalformedLinesAreRefusedWithTheRuleNamed) {
  EXPECT_EQ(ErrorStatus("GET  / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1 \r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET /\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/11\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / http/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
  EXPECT_EQ(ErrorStatus("G(T / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: x\r\nX: a\x01z\r\n\r\n"), 400);
  EXPECT_EQ(ErrorStatus("GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n"), 400);
  EXPECT_EQ(Frame("GET / HTTP/1.1\r\nHost: x\r\nX: a\x01z\r\n\r\n").error->message,
            "control character in header field X");
  // Empty lines before the request line and bare LF line ends are tolerated (RFC 9112 2.2).
  Framed lf = Frame("\r\n\nGET /a HTTP/1.1\nHost: x\n\n");
  ASSERT_FALSE(lf.error);
  ASSERT_EQ(lf.requests.size(), 1u);
  EXPECT_EQ(lf.requests[0].request.path, "/a");
  // A request that has not ended yet is waited for.
  Framed partial = Frame("GET /a HTTP/1.1\r\nHost: x\r\n");
  EXPECT_FALSE(partial.error);
  EXPECT_TRUE(partial.requests.empty());
}

TEST(RequestParser, SizeLimits) {
  WireLimits limits;
  limits.max_head_bytes = 200;
  limits.max_fields = 3;
  std::string long_line = "GET /" + std::string(300, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t chunk : {0, 1, 64}) {
    EXPECT_EQ(Frame(long_line, chunk, limits).error->status, 414);
    std::string big_field = "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(300, 'b') + "\r\n\r\n";
    EXPECT_EQ(Frame(big_field, chunk, limits).error->status, 431);
  }
  EXPECT_EQ(
      Frame("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 0, limits).error->status,
      431);
  EXPECT_FALSE(Frame("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n", 0, limits).error);
  // Endless empty lines are not a request and are not buffered.
  RequestParser p(limits);
  for (int i = 0; i < 1000; ++i) p.Feed("\r\n");
  WireRequest r;
  WireError e;
  EXPECT_EQ(p.Next(&r, &e), RequestParser::Outcome::kNeedMore);
  EXPECT_FALSE(p.InRequest());
  EXPECT_EQ(p.buffered(), 0u);
}

TEST(RequestParser, NothingIsFramedAfterAnError) {
  RequestParser p;
  p.Feed("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
  WireRequest r;
  WireError e;
  EXPECT_EQ(p.Next(&r, &e), RequestParser::Outcome::kError);
  EXPECT_TRUE(p.done());
  p.Feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(p.Next(&r, &e), RequestParser::Outcome::kNeedMore);
}

TEST(SerializeReply, StatusLineFieldsAndBody) {
  Reply r = TextReply(404, "not found");
  WireResponse w = SerializeReply(r, false, ConnectionHeader::kNone, "Date: D\r\n");
  EXPECT_EQ(w.bytes.rfind("HTTP/1.1 404 Not Found\r\nDate: D\r\n", 0), 0u) << w.bytes;
  EXPECT_NE(w.bytes.find("\r\nContent-Length: 10\r\n"), std::string::npos);
  EXPECT_EQ(w.bytes.find("Connection:"), std::string::npos);
  EXPECT_EQ(w.bytes.substr(w.bytes.size() - 14), "\r\n\r\nnot found\n");
  EXPECT_EQ(w.file, nullptr);

  WireResponse close = SerializeReply(r, false, ConnectionHeader::kClose, "Date: D\r\n");
  EXPECT_NE(close.bytes.find("\r\nConnection: close\r\n"), std::string::npos);
  WireResponse keep = SerializeReply(r, false, ConnectionHeader::kKeepAlive, "Date: D\r\n");
  EXPECT_NE(keep.bytes.find("\r\nConnection: keep-alive\r\n"), std::string::npos);

  // HEAD: the same fields, no body.
  WireResponse head = SerializeReply(r, true, ConnectionHeader::kNone, "Date: D\r\n");
  EXPECT_NE(head.bytes.find("\r\nContent-Length: 10\r\n"), std::string::npos);
  EXPECT_EQ(head.bytes.substr(head.bytes.size() - 4), "\r\n\r\n");

  // 304: neither body nor Content-Length.
  Reply nm;
  nm.status = 304;
  nm.no_content = true;
  nm.headers = "ETag: \"x\"\r\n";
  WireResponse w304 = SerializeReply(nm, false, ConnectionHeader::kNone, "Date: D\r\n");
  EXPECT_EQ(w304.bytes.find("Content-Length"), std::string::npos);
  EXPECT_NE(w304.bytes.find("\r\nETag: \"x\"\r\n\r\n"), std::string::npos);
}

TEST(SerializeReply, LargeSharedBodiesGoOutFromTheirFile) {
  const std::string big(200 * 1024, 'z');
  Reply r;
  r.content_type = "application/xml";
  r.shared_body = std::make_shared<const ServedBody>(big);
  ASSERT_GE(r.shared_body->fd(), 0);
  WireResponse w = SerializeReply(r, false, ConnectionHeader::kNone, "Date: D\r\n");
  EXPECT_EQ(w.file, r.shared_body);
  EXPECT_NE(w.bytes.find("\r\nContent-Length: 204800\r\n"), std::string::npos);
  EXPECT_EQ(w.bytes.substr(w.bytes.size() - 4), "\r\n\r\n");
  WireResponse head = SerializeReply(r, true, ConnectionHeader::kNone, "Date: D\r\n");
  EXPECT_EQ(head.file, nullptr);
}

}  // namespace
}  // namespace medmij::http
