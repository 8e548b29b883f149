// Errors as values at the boundaries (store, crypto, parsing, policy).
//
// A Status is either ok() or carries a Code and a one-line message that names the field or rule
// at fault. One place maps Codes to CLI exit codes (admin-cli/context.h, ExitCodeFor) and one to
// HTTP status codes (registry/http/reply.h, HttpStatusFor); nothing else switches on them.
// Both types are [[nodiscard]]: a Status is handled or visibly dropped with a reason.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace medmij {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,     // malformed input: a field fails its pattern or the rule it names
    kFailedPrecondition,  // refused by policy: illegal transition, missing evidence, same operator
    kAlreadyExists,       // refused: the id, hostname or name is taken
    kNotFound,            // the participant, provider, case, version... does not exist
    kResourceExhausted,   // LMDB map full, disk full
    kIoError,             // the file system or the database said no
    kCorruption,          // stored data is not what we wrote (journal chain broken, bad record)
    kInternal,            // a bug: an invariant does not hold
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status Invalid(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status Refused(std::string msg) { return {Code::kFailedPrecondition, std::move(msg)}; }
  static Status Exists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status Exhausted(std::string msg) { return {Code::kResourceExhausted, std::move(msg)}; }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }

  // Prefixes the message with a context ("import line 7: ..."). No-op for ok().
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

  // "<message>", for an error line. Empty for ok().
  const std::string& ToString() const { return message_; }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none. Never holds an ok() Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace medmij

#define MEDMIJ_RETURN_IF_ERROR(expr) \
  do {                               \
    ::medmij::Status _st = (expr);   \
    if (!_st.ok()) return _st;       \
  } while (0)

#define MEDMIJ_CONCAT_INNER(a, b) a##b
#define MEDMIJ_CONCAT(a, b) MEDMIJ_CONCAT_INNER(a, b)
#define MEDMIJ_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
// MEDMIJ_ASSIGN_OR_RETURN(auto x, FunctionReturningResult());
#define MEDMIJ_ASSIGN_OR_RETURN(lhs, expr) \
  MEDMIJ_ASSIGN_OR_RETURN_IMPL(MEDMIJ_CONCAT(_res_, __LINE__), lhs, expr)
