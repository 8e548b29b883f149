#include "registry/ops/import.h"

#include <algorithm>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "registry/common/text.h"
#include "registry/common/time.h"
#include "registry/domain/json.h"
#include "registry/domain/json_object.h"

namespace medmij::ops {
namespace {

using nlohmann::json;

using Fields = json_object::Reader;

// The time in string member `name`, parsed as ParseTime does (dates mean `meaning`).
Time TimeField(const Fields& f, const char* name, DateMeaning meaning) {
  auto t = ParseTime(f.Required<std::string>(name), name, meaning);
  if (!t.ok()) throw JsonDecodeError("", t.status().message());
  return *t;
}

Status ApplyProvider(store::WriteTxn& txn, const Actor& actor, const Fields& f) {
  ProviderInput in;
  f.Required("name", in.name);
  f.Required("dva", in.dva);
  in.type = f.OptionalOr<std::string>("provider_type", in.type);
  f.Container("identifiers", in.identifiers);
  if (const json* services = f.Find("services")) {
    json_object::At("services", [&] {
      if (!services->is_array()) json_object::WrongType(*services, "an array");
      for (size_t i = 0; i < services->size(); ++i) {
        json_object::At(json_object::IndexPath(i), [&] {
          Fields sf((*services)[i], {"service", "authorization_uri", "token_uri", "roles",
                                     "interface_versions", "subscription"});
          ProviderServiceInput psi;
          sf.Required("service", psi.service_id);
          sf.Required("authorization_uri", psi.authorization_uri);
          sf.Required("token_uri", psi.token_uri);
          sf.Container("interface_versions", psi.interface_versions);
          if (const json* sub = sf.Find("subscription")) {
            json_object::At("subscription", [&] {
              Fields subf(*sub, {"max_days", "uri"});
              const uint64_t days = subf.Required<uint64_t>("max_days");
              psi.subscription =
                  SubscriptionInput{static_cast<int64_t>(std::min<uint64_t>(days, INT64_MAX)),
                                    subf.Required<std::string>("uri")};
            });
          }
          const json* roles = sf.Find("roles");
          if (roles == nullptr) throw JsonDecodeError("roles", "missing");
          json_object::At("roles", [&] {
            if (!roles->is_array()) json_object::WrongType(*roles, "an array");
            for (size_t r = 0; r < roles->size(); ++r) {
              json_object::At(json_object::IndexPath(r), [&] {
                Fields rf((*roles)[r], {"code", "uri"});
                psi.roles.emplace_back(rf.Required<std::string>("code"),
                                       rf.Required<std::string>("uri"));
              });
            }
          });
          in.services.push_back(std::move(psi));
        });
      }
    });
  }
  return AddProvider(txn, actor, in);
}

// A record's journal subject and the outcome of its operation.
struct Record {
  std::string subject;
  Status status;
};

// Decodes one record (throwing JsonDecodeError for a malformed one) and applies it.
Record DecodeAndApply(store::WriteTxn& txn, const Actor& actor, const json& obj) {
  if (!obj.is_object()) return {"", Status::Invalid("each line must be a JSON object")};
  // Read "type" alone first: it says which members the rest of the object may have.
  auto type_member = obj.find("type");
  if (type_member == obj.end()) throw JsonDecodeError("type", "missing");
  std::string type;
  json_object::At("type", [&] { json_object::DecodeValue(*type_member, type); });
  if (type == "participant") {
    Fields f(obj, {"type", "id", "name", "kvk", "email", "roles"});
    EnrolInput in;
    f.Required("id", in.id);
    f.Required("name", in.legal_name);
    f.Required("kvk", in.kvk);
    in.email = f.OptionalOr<std::string>("email", "");
    f.Container("roles", in.roles);
    return {"participant:" + in.id, Enrol(txn, actor, in)};
  }
  if (type == "certificate") {
    Fields f(obj, {"type", "participant", "number", "body", "accredited", "registered",
                   "valid_from", "valid_until", "scope"});
    CertificateInput in;
    f.Required("participant", in.participant);
    f.Required("number", in.number);
    f.Required("body", in.body);
    in.accredited = f.OptionalOr("accredited", false);
    in.registered = f.OptionalOr("registered", false);
    in.valid_from = TimeField(f, "valid_from", DateMeaning::kStartOfDay);
    in.valid_until = TimeField(f, "valid_until", DateMeaning::kEndOfDay);
    in.scope = f.OptionalOr<std::string>("scope", "");
    return {"participant:" + in.participant, AddCertificate(txn, actor, in)};
  }
  if (type == "audit_statement") {
    Fields f(obj, {"type", "participant", "date", "auditor", "outcome", "pentest"});
    AuditStatementInput in;
    f.Required("participant", in.participant);
    in.date = TimeField(f, "date", DateMeaning::kStartOfDay);
    f.Required("auditor", in.auditor);
    f.Required("outcome", in.outcome);
    in.pentest = f.OptionalOr("pentest", false);
    return {"participant:" + in.participant, AddAuditStatement(txn, actor, in)};
  }
  if (type == "qualification") {
    Fields f(obj, {"type", "participant", "service"});
    auto participant = f.Required<std::string>("participant");
    auto service = f.Required<std::string>("service");
    return {"participant:" + participant, AddQualification(txn, actor, participant, service)};
  }
  if (type == "label") {
    Fields f(obj, {"type", "participant", "reason"});
    auto participant = f.Required<std::string>("participant");
    auto reason = f.OptionalOr<std::string>("reason", "");
    return {"participant:" + participant, GrantLabel(txn, actor, participant, reason)};
  }
  if (type == "activate") {
    Fields f(obj, {"type", "participant", "reason"});
    auto participant = f.Required<std::string>("participant");
    auto reason = f.OptionalOr<std::string>("reason", "");
    return {"participant:" + participant, Activate(txn, actor, participant, reason)};
  }
  if (type == "node") {
    Fields f(obj, {"type", "participant", "hostname"});
    auto participant = f.Required<std::string>("participant");
    auto hostname = f.Required<std::string>("hostname");
    return {"node:" + hostname, AddNode(txn, actor, participant, hostname)};
  }
  if (type == "oauth_client") {
    Fields f(obj, {"type", "participant", "hostname", "org_name"});
    auto participant = f.Required<std::string>("participant");
    auto hostname = f.Required<std::string>("hostname");
    auto org = f.Required<std::string>("org_name");
    return {"oauth-client:" + hostname, AddOAuthClient(txn, actor, participant, hostname, org)};
  }
  if (type == "service") {
    Fields f(obj, {"type", "id", "name"});
    auto id = f.Required<std::string>("id");
    auto name = f.Required<std::string>("name");
    return {"service:" + id, AddService(txn, actor, id, name)};
  }
  if (type == "provider") {
    Fields f(obj, {"type", "name", "dva", "provider_type", "identifiers", "services"});
    auto name = f.Required<std::string>("name");
    return {"provider:" + name, ApplyProvider(txn, actor, f)};
  }
  return {"", Status::Invalid("type: unknown record type '" + type +
                              "' (participant, certificate, audit_statement, qualification, "
                              "label, activate, node, oauth_client, service, provider)")};
}

// Applies one record; returns the journal subject on success.
Result<std::string> ApplyLine(store::WriteTxn& txn, const Actor& actor, const json& obj) {
  try {
    Record r = DecodeAndApply(txn, actor, obj);
    if (!r.status.ok()) return r.status;
    return r.subject;
  } catch (const JsonDecodeError& e) {
    return Status::Invalid(e.what());
  }
}

}  // namespace

Result<ImportResult> Import(store::WriteTxn& txn, const Actor& actor, std::istream& in,
                            const std::string& source) {
  ImportResult result;
  size_t more_errors = 0;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++result.lines;
    Result<std::string> applied = Status::Invalid("");
    try {
      applied = ApplyLine(txn, actor, json_object::ParseText(line));
    } catch (const JsonDecodeError& e) {
      applied = Status::Invalid(e.what());
    }
    if (!applied.ok()) {
      if (result.errors.size() < kMaxImportErrors) {
        // One printable line whatever the operation echoed of the input (a value with a line
        // break would forge lines of the report).
        result.errors.push_back("line " + std::to_string(number) + ": " +
                                EscapeForDisplay(applied.status().message()));
      } else {
        ++more_errors;
      }
      continue;
    }
    if (!result.errors.empty()) continue;  // already failing: validate the rest, write nothing
    store::EventMeta meta;
    meta.at = actor.now;
    meta.operator_name = actor.operator_name;
    meta.command = "import";
    meta.subject = *applied;
    meta.reason = source + " line " + std::to_string(number);
    txn.AppendEvent(meta);
    ++result.applied;
  }
  if (in.bad()) return Status::IoError(source + ": read error");
  if (more_errors) {
    result.errors.push_back("... and " + std::to_string(more_errors) + " more bad lines");
  }
  if (result.lines == 0) result.errors.push_back(source + ": no records to import");
  return result;
}

}  // namespace medmij::ops
