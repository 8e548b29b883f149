// HTTP/1.1 message framing on the service's own port (RFC 9112), without sockets: the request
// parser that turns one connection's bytes into neutral Requests (request.h), and the
// serialiser of a Reply (reply.h). The Pistache layer (pistache_server.h) feeds the parser what
// it reads and writes what the serialiser returns; unit tests and the fuzzer drive both
// directly. Pistache 0.0.5's own parser is not used: it drops pipelined requests, accepts a
// request without Host, conflicting Content-Lengths and repeated Authorization fields, matches
// the version by prefix, and answers odd input with the text of a C++ exception.
//
// What the parser accepts (everything else is a WireError, answered and the connection closed):
//   - empty lines before a request line are skipped (RFC 9112 2.2); lines end in CRLF or LF, a
//     CR anywhere else is refused;
//   - request-line = method SP request-target SP HTTP-version, single spaces; the target in
//     origin-form ("/path?query") or absolute-form ("http://host/path", the host ignored), only
//     visible ASCII; HTTP/1.0 and HTTP/1.1 (a higher 1.x minor counts as 1.1; major 2+: 505);
//   - field lines "name: value" with a token name directly followed by ':' (no obs-fold, no
//     space before the colon), values without control characters;
//   - exactly one valid Host in HTTP/1.1 (at most one in HTTP/1.0);
//   - Host, Authorization, Proxy-Authorization, If-Modified-Since, If-Unmodified-Since,
//     If-Range, Range and Content-Type at most once (a repeat is ambiguous: 400);
//   - Content-Length as digits; repeated or listed values must all be equal (else 400);
//   - Transfer-Encoding only in HTTP/1.1, without Content-Length, ending in chunked.
// The service takes no request bodies: a request with one (Content-Length above 0, or chunked)
// is answered and its connection closed, so the body is never framed (nor read).
// Repeated list fields the router reads (If-None-Match, Accept-Encoding, Connection) are
// combined into one, members joined by ", " (RFC 9110 5.3).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "registry/http/reply.h"
#include "registry/http/request.h"

namespace medmij::http {

struct WireLimits {
  // Request line and header fields together; beyond it 431 (414 when the request line alone
  // is longer).
  size_t max_head_bytes = 8192;
  size_t max_fields = 100;  // field lines; beyond it 431
  // A declared body larger than this is 413 (smaller ones are answered and not read).
  size_t max_body_bytes = 8192;
};

// One request as framed on the wire.
struct WireRequest {
  Request request;
  bool http10 = false;     // HTTP/1.0 (otherwise HTTP/1.1 semantics)
  bool head = false;       // method HEAD: the answer carries no body
  bool keep_alive = true;  // the connection may carry another request after this one's answer
};

// Why the bytes cannot be answered as a request: the status to send (400, 413, 414, 431, 501,
// 505) and a short text naming the rule broken (never the input itself, never library text).
struct WireError {
  int status = 400;
  std::string message;
};

// Frames the requests of one connection, in order (pipelined requests included). Not safe for
// concurrent use (one per connection, on the connection's thread).
class RequestParser {
 public:
  enum class Outcome {
    kNeedMore,  // no complete request buffered (or the parser is done)
    kRequest,   // *request holds the next one
    kError,     // *error says why; the parser is done
  };

  explicit RequestParser(WireLimits limits = {});

  // Appends bytes read from the connection; once the parser is done they are dropped.
  void Feed(std::string_view bytes);
  // The next complete request, in the order sent. After kError, or after a request with
  // keep_alive false, the parser is done: nothing after it is framed, every later call says
  // kNeedMore and the connection is closed once the answers so far are written.
  Outcome Next(WireRequest* request, WireError* error);

  bool done() const { return done_; }
  // True when part of a request is buffered (beyond the empty lines allowed before one): the
  // request timeout runs.
  bool InRequest() const;
  // Bytes fed and not yet framed (a partial request, or pipelined ones waiting).
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  Outcome Fail(WireError* error, int status, std::string message);
  // Parses the head in buf_[pos_, end) (its terminating empty line included).
  Outcome ParseHead(size_t end, WireRequest* request, WireError* error);

  WireLimits limits_;
  std::string buf_;
  size_t pos_ = 0;   // start of the unframed bytes
  size_t scan_ = 0;  // where the search for the end of the head goes on
  bool done_ = false;
};

// Which Connection field the response carries.
enum class ConnectionHeader {
  kNone,       // a persistent HTTP/1.1 connection
  kClose,      // the server closes the connection after this response
  kKeepAlive,  // a persistent HTTP/1.0 connection (RFC 9112 9.3)
};

// A serialised response: `bytes` (status line, header fields, and a body held in memory)
// followed, when `file` is set, by the file's bytes (file->fd(), file->bytes().size()).
struct WireResponse {
  std::string bytes;
  std::shared_ptr<const ServedBody> file;
};

// `reply` on the wire. `date_line` is the whole "Date: ...\r\n" line. A HEAD answer has the
// GET answer's header fields and no body; a 304 (reply.no_content) has neither body nor
// Content-Length/Content-Type.
WireResponse SerializeReply(const Reply& reply, bool head, ConnectionHeader connection,
                            std::string_view date_line);

}  // namespace medmij::http
