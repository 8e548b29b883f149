// Why fetching one list failed: a fixed set of reasons, each the label value of
// medmij_fetch_failures_total{reason} and the "reason" of --json, so a monitor can tell a
// network fault from a list that was refused.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace medmij::fetch {

enum class Reason {
  kDns,           // the host name did not resolve
  kConnect,       // no connection (refused, unreachable)
  kTimeout,       // connect timeout, read timeout (no data), or --deadline reached
  kTls,           // TLS handshake or certificate verification
  kInsecureHttp,  // plain http:// to an address that is not loopback, without --insecure-http
  kHttpStatus,    // an HTTP status other than 200 and 304
  kTooLarge,      // a body over --max-size
  kTruncated,     // the connection closed before the body was complete
  kTransfer,      // any other transport error (reset, bad encoding, protocol)
  kInvalid,       // not accepted by the participant checks: signature, chain, schema, kind
  kRollback,      // a lower Volgnummer than the one installed
  kFreeze,        // the installed Volgnummer with other signed content
  kIo,            // installing the files or saving the state (a full disk, say)
};

inline constexpr std::array<Reason, 13> kAllReasons = {
    Reason::kDns,      Reason::kConnect,      Reason::kTimeout,
    Reason::kTls,      Reason::kInsecureHttp, Reason::kHttpStatus,
    Reason::kTooLarge, Reason::kTruncated,    Reason::kTransfer,
    Reason::kInvalid,  Reason::kRollback,     Reason::kFreeze,
    Reason::kIo};

// "dns", "connect", "timeout", "tls", "insecure_http", "http_status", "too_large", "truncated",
// "transfer", "invalid", "rollback", "freeze", "io".
std::string_view ToString(Reason r);
std::optional<Reason> ParseReason(std::string_view s);

// A failed attempt: the reason and one line that says what happened ("HTTP 500", "read timeout:
// no data for 1s", "rollback: Volgnummer 3 is lower than the last accepted 4").
struct Failure {
  Reason reason = Reason::kTransfer;
  std::string message;
  // The run's --deadline ended the attempt (kTimeout): a retry cut short, whose cause is better
  // told by the attempt before it.
  bool deadline = false;
};

// Whether another attempt may succeed where this one failed: network faults and the statuses a
// busy or restarting server sends (5xx, 408, 429). A refused list, a body over the limit, TLS
// and a full disk are not retried: the same answer would come back.
bool Retryable(const Failure& f, long http_status);

}  // namespace medmij::fetch
