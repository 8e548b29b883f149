#include "registry/domain/json.h"

#include <cstdint>
#include <string>

#include "registry/common/text.h"
#include "registry/domain/json_object.h"

namespace medmij {

using nlohmann::json;

// what() is one printable line: a field name or value with a NUL would otherwise cut it short
// (the base class copies a C string), one with a line break would forge lines.
JsonDecodeError::JsonDecodeError(std::string path, std::string problem)
    : nlohmann::json::exception(
          0, EscapeForDisplay(path.empty() ? problem : path + ": " + problem).c_str()),
      path_(std::move(path)),
      problem_(std::move(problem)) {}

JsonDecodeError JsonDecodeError::Within(std::string_view parent) const {
  std::string p(parent);
  if (!path_.empty()) {
    if (path_.front() != '[') p += '.';
    p += path_;
  }
  return JsonDecodeError(std::move(p), problem_);
}

namespace {

using json_object::At;
using json_object::Fail;
using json_object::WrongType;
using Fields = json_object::Reader;

template <typename E>
void EncodeEnum(json& j, E v) {
  j = std::string(ToString(v));
}

template <typename E, typename Parse>
void DecodeEnum(const json& j, E& out, Parse parse, std::string_view what,
                std::string_view allowed) {
  if (!j.is_string()) WrongType(j, "a string");
  const auto& s = j.get_ref<const std::string&>();
  auto v = parse(s);
  if (!v)
    Fail("unknown " + std::string(what) + " '" + s + "' (expected " + std::string(allowed) + ")");
  out = *v;
}

}  // namespace

JsonEncodeError::JsonEncodeError(const std::string& message)
    : nlohmann::json::exception(0, message.c_str()) {}

json TimeToJson(Time t, std::string_view field) {
  if (Status s = CheckTimeRange(t, field); !s.ok()) throw JsonEncodeError(s.message());
  return FormatTime(t);
}

Result<Time> TimeFromJson(const json& j, std::string_view field) {
  std::string prefix = field.empty() ? "" : std::string(field) + ": ";
  if (!j.is_string()) {
    return Status::Invalid(prefix + "expected an ISO 8601 time string, got " +
                           std::string(j.type_name()));
  }
  auto t = ParseTime(j.get_ref<const std::string&>(), "x");
  if (!t.ok()) {
    // ParseTime names its field first ("x: ..."); replace that with ours.
    return Status::Invalid(prefix + t.status().message().substr(3));
  }
  return *t;
}

// ---- Enums.

void to_json(json& j, Role v) {
  EncodeEnum(j, v);
}
void from_json(const json& j, Role& v) {
  DecodeEnum(j, v, ParseRole, "role", "dvp or dva");
}
void to_json(json& j, Lifecycle v) {
  EncodeEnum(j, v);
}
void from_json(const json& j, Lifecycle& v) {
  DecodeEnum(j, v, ParseLifecycle, "status", "candidate, active, suspended or terminated");
}
void to_json(json& j, AuditOutcome v) {
  EncodeEnum(j, v);
}
void from_json(const json& j, AuditOutcome& v) {
  DecodeEnum(j, v, ParseAuditOutcome, "audit outcome", "conform or nonconform");
}
void to_json(json& j, ProviderType v) {
  EncodeEnum(j, v);
}
void from_json(const json& j, ProviderType& v) {
  DecodeEnum(j, v, ParseProviderType, "provider type", "ZA or BAZB");
}
void to_json(json& j, CaseStep v) {
  EncodeEnum(j, v);
}
void from_json(const json& j, CaseStep& v) {
  DecodeEnum(j, v, ParseCaseStep, "case step",
             "finding, explanation, notice, suspension or termination");
}
void to_json(json& j, ListKind v) {
  EncodeEnum(j, v);
}
void from_json(const json& j, ListKind& v) {
  DecodeEnum(j, v, ParseListKind, "list", ListNamesForMessages());
}

// ---- Evidence.

void to_json(json& j, const Provenance& v) {
  j = json::object();
  j["at"] = TimeToJson(v.at, "at");
  j["by"] = v.by;
  j["reason"] = v.reason;
}
void from_json(const json& j, Provenance& v) {
  Fields f(j, {"at", "by", "reason"});
  f.Required("at", v.at);
  f.Required("by", v.by);
  f.Required("reason", v.reason);
}

void to_json(json& j, const Certificate& v) {
  j = json::object();
  j["number"] = v.number;
  j["body"] = v.body;
  j["accredited"] = v.accredited;
  j["registered"] = v.registered;
  j["valid_from"] = TimeToJson(v.valid_from, "valid_from");
  j["valid_until"] = TimeToJson(v.valid_until, "valid_until");
  j["scope"] = v.scope;
  j["recorded"] = v.recorded;
}
void from_json(const json& j, Certificate& v) {
  Fields f(j, {"number", "body", "accredited", "registered", "valid_from", "valid_until", "scope",
               "recorded"});
  f.Required("number", v.number);
  f.Required("body", v.body);
  f.Required("accredited", v.accredited);
  f.Required("registered", v.registered);
  f.Required("valid_from", v.valid_from);
  f.Required("valid_until", v.valid_until);
  f.Required("scope", v.scope);
  f.Required("recorded", v.recorded);
}

void to_json(json& j, const AuditStatement& v) {
  j = json::object();
  j["date"] = TimeToJson(v.date, "date");
  j["auditor"] = v.auditor;
  j["outcome"] = v.outcome;
  j["pentest"] = v.pentest;
  j["recorded"] = v.recorded;
}
void from_json(const json& j, AuditStatement& v) {
  Fields f(j, {"date", "auditor", "outcome", "pentest", "recorded"});
  f.Required("date", v.date);
  f.Required("auditor", v.auditor);
  f.Required("outcome", v.outcome);
  f.Required("pentest", v.pentest);
  f.Required("recorded", v.recorded);
}

void to_json(json& j, const QualificationEvent& v) {
  j = json::object();
  j["service_id"] = v.service_id;
  j["passed"] = v.passed;
  j["recorded"] = v.recorded;
}
void from_json(const json& j, QualificationEvent& v) {
  Fields f(j, {"service_id", "passed", "recorded"});
  f.Required("service_id", v.service_id);
  f.Required("passed", v.passed);
  f.Required("recorded", v.recorded);
}

void to_json(json& j, const LabelEvent& v) {
  j = json::object();
  j["granted"] = v.granted;
  j["recorded"] = v.recorded;
}
void from_json(const json& j, LabelEvent& v) {
  Fields f(j, {"granted", "recorded"});
  f.Required("granted", v.granted);
  f.Required("recorded", v.recorded);
}

void to_json(json& j, const StatusChange& v) {
  j = json::object();
  j["from"] = v.from;
  j["to"] = v.to;
  j["recorded"] = v.recorded;
}
void from_json(const json& j, StatusChange& v) {
  Fields f(j, {"from", "to", "recorded"});
  f.Required("from", v.from);
  f.Required("to", v.to);
  f.Required("recorded", v.recorded);
}

void to_json(json& j, const Participant& v) {
  j = json::object();
  j["id"] = v.id;
  j["legal_name"] = v.legal_name;
  j["kvk"] = v.kvk;
  j["email"] = v.email;
  j["roles"] = v.roles;
  j["status"] = v.status;
  j["enrolled"] = v.enrolled;
  j["status_history"] = v.status_history;
  j["certificates"] = v.certificates;
  j["audit_statements"] = v.audit_statements;
  j["qualifications"] = v.qualifications;
  j["labels"] = v.labels;
}
void from_json(const json& j, Participant& v) {
  Fields f(j, {"id", "legal_name", "kvk", "email", "roles", "status", "enrolled", "status_history",
               "certificates", "audit_statements", "qualifications", "labels"});
  f.Required("id", v.id);
  f.Required("legal_name", v.legal_name);
  f.Required("kvk", v.kvk);
  f.Required("email", v.email);
  f.Container("roles", v.roles);
  f.Required("status", v.status);
  f.Required("enrolled", v.enrolled);
  f.Container("status_history", v.status_history);
  f.Container("certificates", v.certificates);
  f.Container("audit_statements", v.audit_statements);
  f.Container("qualifications", v.qualifications);
  f.Container("labels", v.labels);
}

// ---- Network data.

void to_json(json& j, const Node& v) {
  j = json::object();
  j["hostname"] = v.hostname;
  j["participant"] = v.participant;
  j["added"] = v.added;
}
void from_json(const json& j, Node& v) {
  Fields f(j, {"hostname", "participant", "added"});
  f.Required("hostname", v.hostname);
  f.Required("participant", v.participant);
  f.Required("added", v.added);
}

void to_json(json& j, const OAuthClient& v) {
  j = json::object();
  j["hostname"] = v.hostname;
  j["participant"] = v.participant;
  j["organisation_name"] = v.organisation_name;
  j["added"] = v.added;
}
void from_json(const json& j, OAuthClient& v) {
  Fields f(j, {"hostname", "participant", "organisation_name", "added"});
  f.Required("hostname", v.hostname);
  f.Required("participant", v.participant);
  f.Required("organisation_name", v.organisation_name);
  f.Required("added", v.added);
}

void to_json(json& j, const DataService& v) {
  j = json::object();
  j["id"] = v.id;
  j["display_name"] = v.display_name;
  j["added"] = v.added;
}
void from_json(const json& j, DataService& v) {
  Fields f(j, {"id", "display_name", "added"});
  f.Required("id", v.id);
  f.Required("display_name", v.display_name);
  f.Required("added", v.added);
}

void to_json(json& j, const SystemRole& v) {
  j = json::object();
  j["code"] = v.code;
  j["resource_uri"] = v.resource_uri;
}
void from_json(const json& j, SystemRole& v) {
  Fields f(j, {"code", "resource_uri"});
  f.Required("code", v.code);
  f.Required("resource_uri", v.resource_uri);
}

void to_json(json& j, const Subscription& v) {
  j = json::object();
  j["max_days"] = v.max_days;
  j["endpoint_uri"] = v.endpoint_uri;
}
void from_json(const json& j, Subscription& v) {
  Fields f(j, {"max_days", "endpoint_uri"});
  uint64_t days = 0;
  f.Required("max_days", days);
  if (days > UINT32_MAX) throw JsonDecodeError("max_days", "out of range: " + std::to_string(days));
  v.max_days = static_cast<uint32_t>(days);
  f.Required("endpoint_uri", v.endpoint_uri);
}

void to_json(json& j, const ProviderService& v) {
  j = json::object();
  j["service_id"] = v.service_id;
  j["authorization_uri"] = v.authorization_uri;
  j["token_uri"] = v.token_uri;
  j["roles"] = v.roles;
  j["interface_versions"] = v.interface_versions;
  if (v.subscription) j["subscription"] = *v.subscription;
}
void from_json(const json& j, ProviderService& v) {
  Fields f(j, {"service_id", "authorization_uri", "token_uri", "roles", "interface_versions",
               "subscription"});
  f.Required("service_id", v.service_id);
  f.Required("authorization_uri", v.authorization_uri);
  f.Required("token_uri", v.token_uri);
  f.Container("roles", v.roles);
  f.Container("interface_versions", v.interface_versions);
  f.Optional("subscription", v.subscription);
}

void to_json(json& j, const Provider& v) {
  j = json::object();
  j["name"] = v.name;
  j["dva"] = v.dva;
  j["type"] = v.type;
  j["identifiers"] = v.identifiers;
  j["services"] = json::object();
  for (const auto& [id, service] : v.services) j["services"][id] = service;
  j["added"] = v.added;
}
void from_json(const json& j, Provider& v) {
  Fields f(j, {"name", "dva", "type", "identifiers", "services", "added"});
  f.Required("name", v.name);
  f.Required("dva", v.dva);
  f.Required("type", v.type);
  f.Container("identifiers", v.identifiers);
  v.services.clear();
  if (const json* services = f.Find("services")) {
    At("services", [&] {
      if (!services->is_object()) WrongType(*services, "an object");
      // No structured bindings captured by the lambdas here: clang 14 (the fuzz build) lacks them.
      for (const auto& item : services->items()) {
        const std::string& id = item.key();
        const json& entry = item.value();
        At("[" + id + "]", [&] {
          json e = entry;
          if (e.is_object() && !e.contains("service_id")) e["service_id"] = id;
          ProviderService s;
          from_json(e, s);
          if (s.service_id != id) {
            throw JsonDecodeError("service_id",
                                  "'" + s.service_id + "' does not match its key '" + id + "'");
          }
          v.services.emplace(id, std::move(s));
        });
      }
    });
  }
  f.Required("added", v.added);
}

// ---- Compliance.

void to_json(json& j, const CaseStepRecord& v) {
  j = json::object();
  j["step"] = v.step;
  j["recorded"] = v.recorded;
  if (v.deadline) j["deadline"] = TimeToJson(*v.deadline, "deadline");
}
void from_json(const json& j, CaseStepRecord& v) {
  Fields f(j, {"step", "recorded", "deadline"});
  f.Required("step", v.step);
  f.Required("recorded", v.recorded);
  f.Optional("deadline", v.deadline);
}

void to_json(json& j, const ComplianceCase& v) {
  j = json::object();
  j["id"] = v.id;
  j["participant"] = v.participant;
  j["type"] = v.type;
  j["finding"] = v.finding;
  j["steps"] = v.steps;
  if (v.closed) j["closed"] = *v.closed;
}
void from_json(const json& j, ComplianceCase& v) {
  Fields f(j, {"id", "participant", "type", "finding", "steps", "closed"});
  f.Required("id", v.id);
  f.Required("participant", v.participant);
  f.Required("type", v.type);
  f.Required("finding", v.finding);
  f.Container("steps", v.steps);
  f.Optional("closed", v.closed);
}

void to_json(json& j, const TerminationRequest& v) {
  j = json::object();
  j["id"] = v.id;
  j["participant"] = v.participant;
  j["case_id"] = v.case_id;
  j["requested"] = v.requested;
  if (v.approved) j["approved"] = *v.approved;
}
void from_json(const json& j, TerminationRequest& v) {
  Fields f(j, {"id", "participant", "case_id", "requested", "approved"});
  f.Required("id", v.id);
  f.Required("participant", v.participant);
  f.Required("case_id", v.case_id);
  f.Required("requested", v.requested);
  f.Optional("approved", v.approved);
}

}  // namespace medmij
