#include "registry/ops/import.h"

#include <nlohmann/json.hpp>

#include "registry/common/time.h"

namespace medmij::ops {
namespace {

using nlohmann::json;

// Field access with messages that name the field; every failure is kInvalidArgument.
class Fields {
 public:
  explicit Fields(const json& obj) : obj_(obj) {}

  Result<std::string> Str(const char* name, bool required = true) const {
    auto it = obj_.find(name);
    if (it == obj_.end() || it->is_null()) {
      if (required) return Status::Invalid(std::string(name) + ": is required");
      return std::string();
    }
    if (!it->is_string()) return Status::Invalid(std::string(name) + ": must be a string");
    return it->get<std::string>();
  }
  Result<bool> Bool(const char* name) const {
    auto it = obj_.find(name);
    if (it == obj_.end() || it->is_null()) return false;
    if (!it->is_boolean()) return Status::Invalid(std::string(name) + ": must be true or false");
    return it->get<bool>();
  }
  Result<Time> TimeField(const char* name, DateMeaning meaning) const {
    MEDMIJ_ASSIGN_OR_RETURN(std::string text, Str(name));
    return ParseTime(text, name, meaning);
  }
  Result<std::vector<std::string>> StrList(const char* name) const {
    std::vector<std::string> out;
    auto it = obj_.find(name);
    if (it == obj_.end() || it->is_null()) return out;
    if (!it->is_array()) return Status::Invalid(std::string(name) + ": must be an array");
    for (const auto& v : *it) {
      if (!v.is_string()) return Status::Invalid(std::string(name) + ": must hold strings");
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  // Refuses fields the record type does not know: a typo must not be silently dropped.
  Status OnlyKnown(std::initializer_list<const char*> known) const {
    for (auto it = obj_.begin(); it != obj_.end(); ++it) {
      bool found = false;
      for (const char* k : known) found = found || it.key() == k;
      if (!found) return Status::Invalid(it.key() + ": unknown field for this type");
    }
    return Status::Ok();
  }
  const json& raw() const { return obj_; }

 private:
  const json& obj_;
};

Status ApplyProvider(store::WriteTxn& txn, const Actor& actor, const Fields& f) {
  MEDMIJ_RETURN_IF_ERROR(
      f.OnlyKnown({"type", "name", "dva", "provider_type", "identifiers", "services"}));
  ProviderInput in;
  MEDMIJ_ASSIGN_OR_RETURN(in.name, f.Str("name"));
  MEDMIJ_ASSIGN_OR_RETURN(in.dva, f.Str("dva"));
  MEDMIJ_ASSIGN_OR_RETURN(std::string type, f.Str("provider_type", false));
  if (!type.empty()) in.type = type;
  if (auto it = f.raw().find("identifiers"); it != f.raw().end() && !it->is_null()) {
    if (!it->is_object()) return Status::Invalid("identifiers: must be an object");
    for (auto id = it->begin(); id != it->end(); ++id) {
      if (!id->is_string())
        return Status::Invalid("identifiers." + id.key() + ": must be a string");
      in.identifiers[id.key()] = id->get<std::string>();
    }
  }
  auto services = f.raw().find("services");
  if (services != f.raw().end() && !services->is_null()) {
    if (!services->is_array()) return Status::Invalid("services: must be an array");
    size_t index = 0;
    for (const auto& s : *services) {
      std::string where = "services[" + std::to_string(index++) + "]";
      if (!s.is_object()) return Status::Invalid(where + ": must be an object");
      Fields sf(s);
      MEDMIJ_RETURN_IF_ERROR(
          sf.OnlyKnown({"service", "authorization_uri", "token_uri", "roles", "interface_versions"})
              .WithContext(where));
      ProviderServiceInput psi;
      auto service = sf.Str("service");
      auto auth = sf.Str("authorization_uri");
      auto token = sf.Str("token_uri");
      for (auto* r : {&service, &auth, &token}) {
        if (!r->ok()) return r->status().WithContext(where);
      }
      psi.service_id = *service;
      psi.authorization_uri = *auth;
      psi.token_uri = *token;
      auto versions = sf.StrList("interface_versions");
      if (!versions.ok()) return versions.status().WithContext(where);
      psi.interface_versions = *versions;
      auto roles = s.find("roles");
      if (roles == s.end() || !roles->is_array()) {
        return Status::Invalid(where + ".roles: must be an array of {code, uri}");
      }
      for (const auto& r : *roles) {
        if (!r.is_object() || !r.contains("code") || !r.contains("uri") || !r["code"].is_string() ||
            !r["uri"].is_string()) {
          return Status::Invalid(where + ".roles: every role needs string fields code and uri");
        }
        psi.roles.emplace_back(r["code"].get<std::string>(), r["uri"].get<std::string>());
      }
      in.services.push_back(std::move(psi));
    }
  }
  return AddProvider(txn, actor, in);
}

// Applies one record; returns the journal subject on success.
Result<std::string> ApplyLine(store::WriteTxn& txn, const Actor& actor, const json& obj) {
  if (!obj.is_object()) return Status::Invalid("each line must be a JSON object");
  Fields f(obj);
  MEDMIJ_ASSIGN_OR_RETURN(std::string type, f.Str("type"));
  if (type == "participant") {
    MEDMIJ_RETURN_IF_ERROR(f.OnlyKnown({"type", "id", "name", "kvk", "email", "roles"}));
    EnrolInput in;
    MEDMIJ_ASSIGN_OR_RETURN(in.id, f.Str("id"));
    MEDMIJ_ASSIGN_OR_RETURN(in.legal_name, f.Str("name"));
    MEDMIJ_ASSIGN_OR_RETURN(in.kvk, f.Str("kvk"));
    MEDMIJ_ASSIGN_OR_RETURN(in.email, f.Str("email", false));
    MEDMIJ_ASSIGN_OR_RETURN(in.roles, f.StrList("roles"));
    MEDMIJ_RETURN_IF_ERROR(Enrol(txn, actor, in));
    return "participant:" + in.id;
  }
  if (type == "certificate") {
    MEDMIJ_RETURN_IF_ERROR(f.OnlyKnown({"type", "participant", "number", "body", "accredited",
                                        "registered", "valid_from", "valid_until", "scope"}));
    CertificateInput in;
    MEDMIJ_ASSIGN_OR_RETURN(in.participant, f.Str("participant"));
    MEDMIJ_ASSIGN_OR_RETURN(in.number, f.Str("number"));
    MEDMIJ_ASSIGN_OR_RETURN(in.body, f.Str("body"));
    MEDMIJ_ASSIGN_OR_RETURN(in.accredited, f.Bool("accredited"));
    MEDMIJ_ASSIGN_OR_RETURN(in.registered, f.Bool("registered"));
    MEDMIJ_ASSIGN_OR_RETURN(in.valid_from, f.TimeField("valid_from", DateMeaning::kStartOfDay));
    MEDMIJ_ASSIGN_OR_RETURN(in.valid_until, f.TimeField("valid_until", DateMeaning::kEndOfDay));
    MEDMIJ_ASSIGN_OR_RETURN(in.scope, f.Str("scope", false));
    MEDMIJ_RETURN_IF_ERROR(AddCertificate(txn, actor, in));
    return "participant:" + in.participant;
  }
  if (type == "audit_statement") {
    MEDMIJ_RETURN_IF_ERROR(
        f.OnlyKnown({"type", "participant", "date", "auditor", "outcome", "pentest"}));
    AuditStatementInput in;
    MEDMIJ_ASSIGN_OR_RETURN(in.participant, f.Str("participant"));
    MEDMIJ_ASSIGN_OR_RETURN(in.date, f.TimeField("date", DateMeaning::kStartOfDay));
    MEDMIJ_ASSIGN_OR_RETURN(in.auditor, f.Str("auditor"));
    MEDMIJ_ASSIGN_OR_RETURN(in.outcome, f.Str("outcome"));
    MEDMIJ_ASSIGN_OR_RETURN(in.pentest, f.Bool("pentest"));
    MEDMIJ_RETURN_IF_ERROR(AddAuditStatement(txn, actor, in));
    return "participant:" + in.participant;
  }
  if (type == "qualification") {
    MEDMIJ_RETURN_IF_ERROR(f.OnlyKnown({"type", "participant", "service"}));
    MEDMIJ_ASSIGN_OR_RETURN(std::string participant, f.Str("participant"));
    MEDMIJ_ASSIGN_OR_RETURN(std::string service, f.Str("service"));
    MEDMIJ_RETURN_IF_ERROR(AddQualification(txn, actor, participant, service));
    return "participant:" + participant;
  }
  if (type == "label") {
    MEDMIJ_RETURN_IF_ERROR(f.OnlyKnown({"type", "participant", "reason"}));
    MEDMIJ_ASSIGN_OR_RETURN(std::string participant, f.Str("participant"));
    MEDMIJ_ASSIGN_OR_RETURN(std::string reason, f.Str("reason", false));
    MEDMIJ_RETURN_IF_ERROR(GrantLabel(txn, actor, participant, reason));
    return "participant:" + participant;
  }
  if (type == "activate") {
    MEDMIJ_RETURN_IF_ERROR(f.OnlyKnown({"type", "participant", "reason"}));
    MEDMIJ_ASSIGN_OR_RETURN(std::string participant, f.Str("participant"));
    MEDMIJ_ASSIGN_OR_RETURN(std::string reason, f.Str("reason", false));
    MEDMIJ_RETURN_IF_ERROR(Activate(txn, actor, participant, reason));
    return "participant:" + participant;
  }
  if (type == "node") {
    MEDMIJ_RETURN_IF_ERROR(f.OnlyKnown({"type", "participant", "hostname"}));
    MEDMIJ_ASSIGN_OR_RETURN(std::string participant, f.Str("participant"));
    MEDMIJ_ASSIGN_OR_RETURN(std::string hostname, f.Str("hostname"));
    MEDMIJ_RETURN_IF_ERROR(AddNode(txn, actor, participant, hostname));
    return "node:" + hostname;
  }
  if (type == "oauth_client") {
    MEDMIJ_RETURN_IF_ERROR(f.OnlyKnown({"type", "participant", "hostname", "org_name"}));
    MEDMIJ_ASSIGN_OR_RETURN(std::string participant, f.Str("participant"));
    MEDMIJ_ASSIGN_OR_RETURN(std::string hostname, f.Str("hostname"));
    MEDMIJ_ASSIGN_OR_RETURN(std::string org, f.Str("org_name"));
    MEDMIJ_RETURN_IF_ERROR(AddOAuthClient(txn, actor, participant, hostname, org));
    return "oauth-client:" + hostname;
  }
  if (type == "service") {
    MEDMIJ_RETURN_IF_ERROR(f.OnlyKnown({"type", "id", "name"}));
    MEDMIJ_ASSIGN_OR_RETURN(std::string id, f.Str("id"));
    MEDMIJ_ASSIGN_OR_RETURN(std::string name, f.Str("name"));
    MEDMIJ_RETURN_IF_ERROR(AddService(txn, actor, id, name));
    return "service:" + id;
  }
  if (type == "provider") {
    MEDMIJ_RETURN_IF_ERROR(ApplyProvider(txn, actor, f));
    return "provider:" + f.Str("name").value();
  }
  return Status::Invalid("type: unknown record type '" + type +
                         "' (participant, certificate, audit_statement, qualification, label, "
                         "activate, node, oauth_client, service, provider)");
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
    json obj = json::parse(line, nullptr, /*allow_exceptions=*/false);
    Result<std::string> applied = Status::Invalid("");
    if (obj.is_discarded()) {
      applied = Status::Invalid("not valid JSON");
    } else {
      applied = ApplyLine(txn, actor, obj);
    }
    if (!applied.ok()) {
      if (result.errors.size() < kMaxImportErrors) {
        result.errors.push_back("line " + std::to_string(number) + ": " +
                                applied.status().message());
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
