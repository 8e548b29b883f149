// The JSON codec of the domain types: the store's record format, the CLI's --json output and the
// `import` input. The field names are a public format and never change.
//
// Encoding (to_json), canonical: nlohmann objects are ordered maps, so dump() sorts keys and equal
// values give equal bytes.
//   - Field names are the struct fields' names (snake_case).
//   - Enums are their ToString names ("dvp", "active", "ZA", "finding", ...).
//   - Times are FormatTime strings ("2026-11-22T10:00:00.000Z", milliseconds: round-trips exactly).
//   - std::optional fields are omitted when empty; every other field is always present.
//   - std::set / std::vector are arrays (sets in enum order); std::map<string, T> are objects.
//   - Provider.services is an object keyed by service id whose values are ProviderService objects
//     (each also carrying its own "service_id").
//   - Subscription is {"max_days": N, "endpoint_uri": URI}. (Before the ZAL release3 it was
//     declared as {"maximum_duration", "endpoint_uri"}, but no command or import could set a
//     subscription then, so no stored record or journal event has that form.)
//
// Decoding (from_json) is strict, for untrusted input, by the rules of json_object.h (the one
// object reader the journal and `import` use too):
//   - the value must be an object with no unknown field (a typo is an error, not ignored);
//   - every field is required except optionals (absent or null: empty) and arrays/objects
//     (absent or null: empty), and, inside Provider.services, "service_id" (taken from the key;
//     when present it must match);
//   - wrong JSON types, unknown enum names and malformed times are refused.
// A failure throws JsonDecodeError (a nlohmann::json::exception, so `catch (const
// nlohmann::json::exception&)` catches it too) whose what() names the path of the field at fault:
//   "certificates[1].valid_from: '2026-13-01' is not an ISO 8601 date or date-time (...)",
// always one printable line (control, line-break and format characters in names and values
// escaped with EscapeForDisplay, registry/common/text.h).
// DecodeJson<T>() wraps this in a Result for callers that prefer a Status.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/types.h"

namespace medmij {

// A JSON value that is not a valid encoding of the type asked for. `path` names the field
// ("services[x].token_uri"; empty for the value itself), `problem` says what is wrong.
class JsonDecodeError : public nlohmann::json::exception {
 public:
  JsonDecodeError(std::string path, std::string problem);
  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }
  // The same error seen from the enclosing value: `parent` is the field name or "name[i]".
  JsonDecodeError Within(std::string_view parent) const;

 private:
  std::string path_;
  std::string problem_;
};

// A value to_json refuses because its encoding would not decode: a time outside the supported
// range (registry/common/time.h). Only a bug lets one get this far (every entry point parses
// times with ParseTime); the store turns it into a Status and writes nothing.
class JsonEncodeError : public nlohmann::json::exception {
 public:
  explicit JsonEncodeError(const std::string& message);
};

// FormatTime(t). Throws JsonEncodeError, naming `field`, for a time outside the supported range.
nlohmann::json TimeToJson(Time t, std::string_view field = "time");
// Accepts what ParseTime accepts (a date means the start of that day). `field` names the value in
// the error message.
Result<Time> TimeFromJson(const nlohmann::json& j, std::string_view field = "time");

void to_json(nlohmann::json& j, Role v);
void from_json(const nlohmann::json& j, Role& v);
void to_json(nlohmann::json& j, Lifecycle v);
void from_json(const nlohmann::json& j, Lifecycle& v);
void to_json(nlohmann::json& j, AuditOutcome v);
void from_json(const nlohmann::json& j, AuditOutcome& v);
void to_json(nlohmann::json& j, ProviderType v);
void from_json(const nlohmann::json& j, ProviderType& v);
void to_json(nlohmann::json& j, CaseStep v);
void from_json(const nlohmann::json& j, CaseStep& v);
void to_json(nlohmann::json& j, ListKind v);
void from_json(const nlohmann::json& j, ListKind& v);

void to_json(nlohmann::json& j, const Provenance& v);
void from_json(const nlohmann::json& j, Provenance& v);
void to_json(nlohmann::json& j, const Certificate& v);
void from_json(const nlohmann::json& j, Certificate& v);
void to_json(nlohmann::json& j, const AuditStatement& v);
void from_json(const nlohmann::json& j, AuditStatement& v);
void to_json(nlohmann::json& j, const QualificationEvent& v);
void from_json(const nlohmann::json& j, QualificationEvent& v);
void to_json(nlohmann::json& j, const LabelEvent& v);
void from_json(const nlohmann::json& j, LabelEvent& v);
void to_json(nlohmann::json& j, const StatusChange& v);
void from_json(const nlohmann::json& j, StatusChange& v);
void to_json(nlohmann::json& j, const Participant& v);
void from_json(const nlohmann::json& j, Participant& v);
void to_json(nlohmann::json& j, const Node& v);
void from_json(const nlohmann::json& j, Node& v);
void to_json(nlohmann::json& j, const OAuthClient& v);
void from_json(const nlohmann::json& j, OAuthClient& v);
void to_json(nlohmann::json& j, const DataService& v);
void from_json(const nlohmann::json& j, DataService& v);
void to_json(nlohmann::json& j, const SystemRole& v);
void from_json(const nlohmann::json& j, SystemRole& v);
void to_json(nlohmann::json& j, const Subscription& v);
void from_json(const nlohmann::json& j, Subscription& v);
void to_json(nlohmann::json& j, const ProviderService& v);
void from_json(const nlohmann::json& j, ProviderService& v);
void to_json(nlohmann::json& j, const Provider& v);
void from_json(const nlohmann::json& j, Provider& v);
void to_json(nlohmann::json& j, const CaseStepRecord& v);
void from_json(const nlohmann::json& j, CaseStepRecord& v);
void to_json(nlohmann::json& j, const ComplianceCase& v);
void from_json(const nlohmann::json& j, ComplianceCase& v);
void to_json(nlohmann::json& j, const TerminationRequest& v);
void from_json(const nlohmann::json& j, TerminationRequest& v);

// Decodes `j` as a T; on failure kInvalidArgument "<what>: <path>: <problem>".
template <typename T>
Result<T> DecodeJson(const nlohmann::json& j, std::string_view what) {
  try {
    T v;
    from_json(j, v);
    return v;
  } catch (const JsonDecodeError& e) {
    return Status::Invalid(std::string(what) + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {
    return Status::Invalid(std::string(what) + ": " + e.what());
  }
}

}  // namespace medmij
