#include "fetch/failure.h"

namespace medmij::fetch {

std::string_view ToString(Reason r) {
  switch (r) {
    case Reason::kDns:
      return "dns";
    case Reason::kConnect:
      return "connect";
    case Reason::kTimeout:
      return "timeout";
    case Reason::kTls:
      return "tls";
    case Reason::kInsecureHttp:
      return "insecure_http";
    case Reason::kHttpStatus:
      return "http_status";
    case Reason::kTooLarge:
      return "too_large";
    case Reason::kTruncated:
      return "truncated";
    case Reason::kTransfer:
      return "transfer";
    case Reason::kInvalid:
      return "invalid";
    case Reason::kRollback:
      return "rollback";
    case Reason::kFreeze:
      return "freeze";
    case Reason::kIo:
      return "io";
  }
  return "transfer";
}

std::optional<Reason> ParseReason(std::string_view s) {
  for (Reason r : kAllReasons) {
    if (ToString(r) == s) return r;
  }
  return std::nullopt;
}

bool Retryable(const Failure& f, long http_status) {
  switch (f.reason) {
    case Reason::kDns:
    case Reason::kConnect:
    case Reason::kTimeout:
    case Reason::kTruncated:
    case Reason::kTransfer:
      return true;
    case Reason::kHttpStatus:
      return http_status >= 500 || http_status == 408 || http_status == 429;
    default:
      return false;
  }
}

}  // namespace medmij::fetch
