#include "registry/ops/ops.h"

#include <algorithm>
#include <set>

#include "registry/domain/policy.h"
#include "registry/domain/validate.h"

namespace medmij::ops {
namespace {

Provenance Made(const Actor& actor, const std::string& reason = "") {
  return Provenance{actor.now, actor.operator_name, reason};
}

Status NeedReason(const std::string& reason) {
  return ValidateReason(reason, "reason");
}

Status OptionalReason(const std::string& reason) {
  return reason.empty() ? Status::Ok() : ValidateReason(reason, "reason");
}

Result<Participant> Load(const store::Reader& r, const std::string& id) {
  MEDMIJ_RETURN_IF_ERROR(ValidateParticipantId(id, "participant id"));
  MEDMIJ_ASSIGN_OR_RETURN(auto p, r.GetParticipant(id));
  if (!p) return Status::NotFound("participant '" + id + "' does not exist");
  return std::move(*p);
}

// The back-channel hosts of `s` that are nodes of `dva`: point lookups, so adding a service to a
// DVA with many nodes stays cheap (import adds 100 000 of them).
Result<std::set<std::string>> DvaNodesAmong(const store::Reader& r, const std::string& dva,
                                            const ProviderService& s) {
  std::set<std::string> hosts{UriHost(s.token_uri)};
  for (const auto& role : s.roles) hosts.insert(UriHost(role.resource_uri));
  if (s.subscription) hosts.insert(UriHost(s.subscription->endpoint_uri));
  std::set<std::string> out;
  for (const auto& h : hosts) {
    MEDMIJ_ASSIGN_OR_RETURN(auto node, r.GetNode(h));
    if (node && node->participant == dva) out.insert(h);
  }
  return out;
}

void ChangeStatus(Participant& p, Lifecycle to, const Actor& actor, const std::string& reason) {
  p.status_history.push_back(StatusChange{p.status, to, Made(actor, reason)});
  p.status = to;
}

// Interface versions as stored: each valid, none twice, in InterfaceVersionLess order.
Result<std::vector<std::string>> NormalInterfaceVersions(std::vector<std::string> versions) {
  for (const auto& v : versions) {
    MEDMIJ_RETURN_IF_ERROR(ValidateInterfaceVersion(v, "interface-version"));
  }
  std::sort(versions.begin(), versions.end(),
            [](const std::string& a, const std::string& b) { return InterfaceVersionLess(a, b); });
  auto twice = std::adjacent_find(versions.begin(), versions.end());
  if (twice != versions.end()) {
    return Status::Invalid("interface-version: '" + *twice + "' is given more than once");
  }
  return versions;
}

Result<Subscription> MakeSubscription(int64_t max_days, const std::string& uri) {
  MEDMIJ_RETURN_IF_ERROR(ValidateSubscriptionDays(max_days, "subscription-max-days"));
  MEDMIJ_RETURN_IF_ERROR(ValidateBackChannelUri(uri, "subscription-uri"));
  return Subscription{static_cast<uint32_t>(max_days), uri};
}

}  // namespace

Result<Participant> FindParticipant(const store::Reader& r, const std::string& id) {
  return Load(r, id);
}

Status Enrol(store::WriteTxn& txn, const Actor& actor, const EnrolInput& in) {
  MEDMIJ_RETURN_IF_ERROR(ValidateParticipantId(in.id, "participant id"));
  MEDMIJ_RETURN_IF_ERROR(ValidateLegalName(in.legal_name, "name"));
  MEDMIJ_RETURN_IF_ERROR(ValidateKvk(in.kvk, "kvk"));
  if (!in.email.empty()) MEDMIJ_RETURN_IF_ERROR(ValidateEmail(in.email, "email"));
  if (in.roles.empty()) return Status::Invalid("role: at least one of dvp, dva is required");
  Participant p;
  for (const auto& r : in.roles) {
    auto role = ParseRole(r);
    if (!role) return Status::Invalid("role: must be dvp or dva, got '" + r + "'");
    p.roles.insert(*role);
  }
  MEDMIJ_ASSIGN_OR_RETURN(auto existing, txn.GetParticipant(in.id));
  if (existing) {
    return Status::Exists("participant '" + in.id + "' is already enrolled");
  }
  p.id = in.id;
  p.legal_name = in.legal_name;
  p.kvk = in.kvk;
  p.email = in.email;
  p.status = Lifecycle::kCandidate;
  p.enrolled = Made(actor);
  txn.Put(p);
  return Status::Ok();
}

Status AddCertificate(store::WriteTxn& txn, const Actor& actor, const CertificateInput& in) {
  MEDMIJ_RETURN_IF_ERROR(ValidateSingleLineText(in.number, "number", 1, 64));
  MEDMIJ_RETURN_IF_ERROR(ValidateSingleLineText(in.body, "body", 2, 200));
  if (!in.scope.empty()) MEDMIJ_RETURN_IF_ERROR(ValidateSingleLineText(in.scope, "scope", 1, 500));
  if (in.valid_until <= in.valid_from) {
    return Status::Invalid("valid-until: must be after valid-from (" + FormatTime(in.valid_from) +
                           ")");
  }
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, in.participant));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckNotTerminated(p, "cert add"));
  for (const auto& c : p.certificates) {
    if (c.number == in.number && c.body == in.body && c.valid_from == in.valid_from &&
        c.valid_until == in.valid_until) {
      return Status::Exists("certificate " + in.number + " from " + in.body +
                            " with these dates is already recorded for '" + p.id + "'");
    }
  }
  p.certificates.push_back(Certificate{in.number, in.body, in.accredited, in.registered,
                                       in.valid_from, in.valid_until, in.scope, Made(actor)});
  txn.Put(p);
  return Status::Ok();
}

Status AddAuditStatement(store::WriteTxn& txn, const Actor& actor, const AuditStatementInput& in) {
  MEDMIJ_RETURN_IF_ERROR(ValidateSingleLineText(in.auditor, "auditor", 2, 200));
  auto outcome = ParseAuditOutcome(in.outcome);
  if (!outcome) {
    return Status::Invalid("outcome: must be conform or nonconform, got '" + in.outcome + "'");
  }
  if (in.date > actor.now) {
    return Status::Invalid("date: an audit statement cannot be dated in the future (" +
                           FormatDate(in.date) + ")");
  }
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, in.participant));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckNotTerminated(p, "audit-statement add"));
  p.audit_statements.push_back(
      AuditStatement{in.date, in.auditor, *outcome, in.pentest, Made(actor)});
  txn.Put(p);
  return Status::Ok();
}

Status AddQualification(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                        const std::string& service_id) {
  MEDMIJ_RETURN_IF_ERROR(ValidateServiceId(service_id, "service"));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  MEDMIJ_ASSIGN_OR_RETURN(auto service, txn.GetService(service_id));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckQualification(p, service.has_value()));
  if (p.QualifiedServices().count(service_id)) {
    return Status::Exists("'" + p.id + "' is already qualified for data service " + service_id);
  }
  p.qualifications.push_back(QualificationEvent{service_id, true, Made(actor)});
  txn.Put(p);
  return Status::Ok();
}

Status WithdrawQualification(store::WriteTxn& txn, const Actor& actor,
                             const std::string& participant, const std::string& service_id,
                             const std::string& reason) {
  MEDMIJ_RETURN_IF_ERROR(ValidateServiceId(service_id, "service"));
  MEDMIJ_RETURN_IF_ERROR(NeedReason(reason));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  if (!p.QualifiedServices().count(service_id)) {
    return Status::NotFound("'" + p.id + "' is not qualified for data service " + service_id);
  }
  p.qualifications.push_back(QualificationEvent{service_id, false, Made(actor, reason)});
  txn.Put(p);
  return Status::Ok();
}

Status GrantLabel(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                  const std::string& reason) {
  MEDMIJ_RETURN_IF_ERROR(OptionalReason(reason));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckLabelGrant(p));
  p.labels.push_back(LabelEvent{true, Made(actor, reason)});
  txn.Put(p);
  return Status::Ok();
}

Status WithdrawLabel(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                     const std::string& reason) {
  MEDMIJ_RETURN_IF_ERROR(NeedReason(reason));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckLabelWithdraw(p));
  p.labels.push_back(LabelEvent{false, Made(actor, reason)});
  txn.Put(p);
  return Status::Ok();
}

Status Activate(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                const std::string& reason) {
  MEDMIJ_RETURN_IF_ERROR(OptionalReason(reason));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  if (p.status == Lifecycle::kSuspended) {
    return Status::Refused("activate: '" + p.id +
                           "' is suspended; a suspension is lifted with 'participant reinstate'");
  }
  MEDMIJ_RETURN_IF_ERROR(policy::CheckTransition(p, Lifecycle::kActive, actor.now));
  ChangeStatus(p, Lifecycle::kActive, actor, reason);
  txn.Put(p);
  return Status::Ok();
}

Status Suspend(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
               const std::string& reason) {
  MEDMIJ_RETURN_IF_ERROR(NeedReason(reason));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckTransition(p, Lifecycle::kSuspended, actor.now));
  ChangeStatus(p, Lifecycle::kSuspended, actor, reason);
  txn.Put(p);
  return Status::Ok();
}

Status Reinstate(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                 const std::string& reason) {
  MEDMIJ_RETURN_IF_ERROR(NeedReason(reason));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  if (p.status != Lifecycle::kSuspended) {
    return Status::Refused("reinstate: '" + p.id + "' is " + std::string(ToString(p.status)) +
                           ", only a suspended participant can be reinstated");
  }
  MEDMIJ_RETURN_IF_ERROR(policy::CheckTransition(p, Lifecycle::kActive, actor.now));
  ChangeStatus(p, Lifecycle::kActive, actor, reason);
  txn.Put(p);
  return Status::Ok();
}

Result<std::string> RequestTermination(store::WriteTxn& txn, const Actor& actor,
                                       const std::string& participant, const std::string& reason,
                                       const std::string& case_id) {
  MEDMIJ_RETURN_IF_ERROR(NeedReason(reason));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  std::vector<TerminationRequest> pending;
  MEDMIJ_ASSIGN_OR_RETURN(auto requests, txn.AllTerminationRequests());
  for (auto& r : requests) {
    if (r.participant == p.id && !r.approved) pending.push_back(std::move(r));
  }
  MEDMIJ_RETURN_IF_ERROR(policy::CheckTerminationRequest(p, pending));
  TerminationRequest r;
  MEDMIJ_ASSIGN_OR_RETURN(uint64_t n, txn.NextCounter("termination_request"));
  r.id = "term-" + std::to_string(n);
  r.participant = p.id;
  r.case_id = case_id;
  r.requested = Made(actor, reason);
  txn.Put(r);
  return r.id;
}

Result<std::string> ApproveTermination(store::WriteTxn& txn, const Actor& actor,
                                       const std::string& request_id) {
  MEDMIJ_ASSIGN_OR_RETURN(auto r, txn.GetTerminationRequest(request_id));
  if (!r) return Status::NotFound("termination request '" + request_id + "' does not exist");
  MEDMIJ_RETURN_IF_ERROR(policy::CheckTerminationApproval(*r, actor.operator_name));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, r->participant));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckTransition(p, Lifecycle::kTerminated, actor.now));
  r->approved = Made(actor);
  txn.Put(*r);
  ChangeStatus(p, Lifecycle::kTerminated, actor,
               r->requested.reason + " (requested by " + r->requested.by + " as " + r->id + ")");
  txn.Put(p);
  MEDMIJ_ASSIGN_OR_RETURN(auto cases, txn.CasesOf(p.id));
  for (auto& c : cases) {
    if (!c.IsOpen()) continue;
    c.closed = Made(actor, "participant terminated (" + r->id + ")");
    txn.Put(c);
  }
  return p.id;
}

Status AddNode(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
               const std::string& hostname) {
  MEDMIJ_RETURN_IF_ERROR(ValidateHostname(hostname, "hostname"));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckNotTerminated(p, "node add"));
  MEDMIJ_ASSIGN_OR_RETURN(auto existing, txn.GetNode(hostname));
  if (existing) {
    return Status::Exists("hostname: node " + hostname + " is already registered to '" +
                          existing->participant + "'");
  }
  txn.Put(Node{hostname, p.id, Made(actor)});
  return Status::Ok();
}

Status RemoveNode(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                  const std::string& hostname) {
  (void)actor;
  MEDMIJ_RETURN_IF_ERROR(ValidateHostname(hostname, "hostname"));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  MEDMIJ_ASSIGN_OR_RETURN(auto node, txn.GetNode(hostname));
  if (!node || node->participant != p.id) {
    return Status::NotFound("hostname: '" + p.id + "' has no node " + hostname);
  }
  MEDMIJ_ASSIGN_OR_RETURN(auto providers, txn.ProvidersOf(p.id));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckNodeRemoval(*node, providers));
  txn.EraseNode(hostname);
  return Status::Ok();
}

Status AddOAuthClient(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                      const std::string& hostname, const std::string& organisation_name) {
  MEDMIJ_RETURN_IF_ERROR(ValidateHostname(hostname, "hostname"));
  MEDMIJ_RETURN_IF_ERROR(ValidateOrganisationName(organisation_name, "org-name"));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckOAuthClientOwner(p));
  MEDMIJ_ASSIGN_OR_RETURN(auto existing, txn.GetOAuthClient(hostname));
  if (existing) {
    return Status::Exists("hostname: OAuth client " + hostname + " already belongs to '" +
                          existing->participant + "'");
  }
  txn.Put(OAuthClient{hostname, p.id, organisation_name, Made(actor)});
  return Status::Ok();
}

Status RemoveOAuthClient(store::WriteTxn& txn, const Actor& actor, const std::string& participant,
                         const std::string& hostname) {
  (void)actor;
  MEDMIJ_RETURN_IF_ERROR(ValidateHostname(hostname, "hostname"));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  MEDMIJ_ASSIGN_OR_RETURN(auto client, txn.GetOAuthClient(hostname));
  if (!client || client->participant != p.id) {
    return Status::NotFound("hostname: '" + p.id + "' has no OAuth client " + hostname);
  }
  txn.EraseOAuthClient(hostname);
  return Status::Ok();
}

Status TransferOAuthClient(store::WriteTxn& txn, const Actor& actor, const std::string& hostname,
                           const std::string& to, const std::string& reason) {
  MEDMIJ_RETURN_IF_ERROR(ValidateHostname(hostname, "hostname"));
  MEDMIJ_RETURN_IF_ERROR(NeedReason(reason));
  MEDMIJ_ASSIGN_OR_RETURN(auto client, txn.GetOAuthClient(hostname));
  if (!client) return Status::NotFound("hostname: no OAuth client " + hostname);
  MEDMIJ_ASSIGN_OR_RETURN(Participant target, Load(txn, to));
  MEDMIJ_RETURN_IF_ERROR(
      policy::CheckTransferTarget(target, Role::kDvp, client->participant, actor.now));
  client->participant = target.id;
  txn.Put(*client);
  return Status::Ok();
}

Status AddService(store::WriteTxn& txn, const Actor& actor, const std::string& id,
                  const std::string& display_name) {
  MEDMIJ_RETURN_IF_ERROR(ValidateServiceId(id, "service id"));
  MEDMIJ_RETURN_IF_ERROR(ValidateDisplayName(display_name, "name"));
  MEDMIJ_ASSIGN_OR_RETURN(auto existing, txn.GetService(id));
  if (existing) return Status::Exists("data service " + id + " is already listed");
  txn.Put(DataService{id, display_name, Made(actor)});
  return Status::Ok();
}

namespace {

// Validates one data service for a provider served by `dva`, against the catalogue and the DVA's
// nodes.
Result<ProviderService> BuildService(const store::Reader& r, const Participant& dva,
                                     const ProviderServiceInput& in) {
  MEDMIJ_RETURN_IF_ERROR(ValidateServiceId(in.service_id, "service"));
  MEDMIJ_RETURN_IF_ERROR(ValidateFrontChannelUri(in.authorization_uri, "authorization-uri"));
  MEDMIJ_RETURN_IF_ERROR(ValidateBackChannelUri(in.token_uri, "token-uri"));
  if (in.roles.empty()) return Status::Invalid("role: at least one CODE=URI is required");
  ProviderService s;
  s.service_id = in.service_id;
  s.authorization_uri = in.authorization_uri;
  s.token_uri = in.token_uri;
  for (const auto& [code, uri] : in.roles) {
    MEDMIJ_RETURN_IF_ERROR(ValidateSystemRoleCode(code, "role code"));
    MEDMIJ_RETURN_IF_ERROR(ValidateBackChannelUri(uri, "role " + code + " resource URI"));
    s.roles.push_back(SystemRole{code, uri});
  }
  std::sort(s.roles.begin(), s.roles.end(),
            [](const SystemRole& a, const SystemRole& b) { return a.code < b.code; });
  MEDMIJ_ASSIGN_OR_RETURN(s.interface_versions, NormalInterfaceVersions(in.interface_versions));
  if (in.subscription) {
    MEDMIJ_ASSIGN_OR_RETURN(Subscription sub,
                            MakeSubscription(in.subscription->max_days, in.subscription->uri));
    s.subscription = std::move(sub);
  }
  MEDMIJ_ASSIGN_OR_RETURN(auto service, r.GetService(in.service_id));
  MEDMIJ_ASSIGN_OR_RETURN(auto nodes, DvaNodesAmong(r, dva.id, s));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckProviderService(s, service.has_value(), nodes));
  return s;
}

}  // namespace

Status AddProvider(store::WriteTxn& txn, const Actor& actor, const ProviderInput& in) {
  MEDMIJ_RETURN_IF_ERROR(ValidateProviderName(in.name, "provider name"));
  auto type = ParseProviderType(in.type);
  if (!type) return Status::Invalid("type: must be ZA or BAZB, got '" + in.type + "'");
  for (const auto& [kind, value] : in.identifiers) {
    MEDMIJ_RETURN_IF_ERROR(ValidateIdentifier(kind, value, "identifiers"));
  }
  MEDMIJ_ASSIGN_OR_RETURN(Participant dva, Load(txn, in.dva));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckProviderOwner(dva));
  MEDMIJ_ASSIGN_OR_RETURN(auto existing, txn.GetProvider(in.name));
  if (existing) {
    return Status::Exists("provider name: " + in.name + " is already served by '" + existing->dva +
                          "'");
  }
  Provider p;
  p.name = in.name;
  p.dva = dva.id;
  p.type = *type;
  p.identifiers = in.identifiers;
  p.added = Made(actor);
  for (size_t i = 0; i < in.services.size(); ++i) {
    auto s = BuildService(txn, dva, in.services[i]);
    if (!s.ok()) return s.status().WithContext("services[" + std::to_string(i) + "]");
    if (p.services.count(s->service_id)) {
      return Status::Invalid("services[" + std::to_string(i) + "]: data service " + s->service_id +
                             " is listed twice");
    }
    p.services[s->service_id] = std::move(s).value();
  }
  txn.Put(p);
  return Status::Ok();
}

Status RemoveProvider(store::WriteTxn& txn, const Actor& actor, const std::string& name,
                      const std::string& reason) {
  (void)actor;
  MEDMIJ_RETURN_IF_ERROR(ValidateProviderName(name, "provider name"));
  MEDMIJ_RETURN_IF_ERROR(OptionalReason(reason));
  MEDMIJ_ASSIGN_OR_RETURN(auto provider, txn.GetProvider(name));
  if (!provider) return Status::NotFound("provider " + name + " does not exist");
  txn.EraseProvider(name);
  return Status::Ok();
}

Status PutProviderService(store::WriteTxn& txn, const Actor& actor,
                          const ProviderServiceInput& in) {
  (void)actor;
  MEDMIJ_RETURN_IF_ERROR(ValidateProviderName(in.provider, "provider name"));
  MEDMIJ_ASSIGN_OR_RETURN(auto provider, txn.GetProvider(in.provider));
  if (!provider) return Status::NotFound("provider " + in.provider + " does not exist");
  MEDMIJ_ASSIGN_OR_RETURN(Participant dva, Load(txn, provider->dva));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckProviderOwner(dva));
  MEDMIJ_ASSIGN_OR_RETURN(ProviderService s, BuildService(txn, dva, in));
  provider->services[s.service_id] = std::move(s);
  txn.Put(*provider);
  return Status::Ok();
}

Status RemoveProviderService(store::WriteTxn& txn, const Actor& actor, const std::string& provider,
                             const std::string& service_id) {
  (void)actor;
  MEDMIJ_RETURN_IF_ERROR(ValidateProviderName(provider, "provider name"));
  MEDMIJ_RETURN_IF_ERROR(ValidateServiceId(service_id, "service"));
  MEDMIJ_ASSIGN_OR_RETURN(auto p, txn.GetProvider(provider));
  if (!p) return Status::NotFound("provider " + provider + " does not exist");
  if (!p->services.erase(service_id)) {
    return Status::NotFound("service: provider " + provider + " does not offer data service " +
                            service_id);
  }
  txn.Put(*p);
  return Status::Ok();
}

Status UpdateProvider(store::WriteTxn& txn, const Actor& actor, const ProviderUpdate& in) {
  (void)actor;
  MEDMIJ_RETURN_IF_ERROR(ValidateProviderName(in.name, "provider name"));
  if (!in.type && in.identifiers.empty()) {
    return Status::Invalid("provider set: nothing to change (give --type or --identifier)");
  }
  std::optional<ProviderType> type;
  if (in.type) {
    type = ParseProviderType(*in.type);
    if (!type) return Status::Invalid("type: must be ZA or BAZB, got '" + *in.type + "'");
  }
  for (const auto& [kind, value] : in.identifiers) {
    if (!value.empty()) {
      MEDMIJ_RETURN_IF_ERROR(ValidateIdentifier(kind, value, "identifiers"));
    } else if (FindIdentifierKind(kind) == nullptr) {
      MEDMIJ_RETURN_IF_ERROR(ValidateIdentifier(kind, "", "identifiers"));  // names the kinds
    }
  }
  MEDMIJ_ASSIGN_OR_RETURN(auto provider, txn.GetProvider(in.name));
  if (!provider) return Status::NotFound("provider " + in.name + " does not exist");
  MEDMIJ_ASSIGN_OR_RETURN(Participant dva, Load(txn, provider->dva));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckProviderOwner(dva));
  if (type) provider->type = *type;
  for (const auto& [kind, value] : in.identifiers) {
    if (!value.empty()) {
      provider->identifiers[kind] = value;
    } else if (provider->identifiers.erase(kind) == 0) {
      return Status::Invalid("identifiers." + kind + ": provider " + in.name +
                             " has no such identifier to remove");
    }
  }
  txn.Put(*provider);
  return Status::Ok();
}

Status UpdateProviderService(store::WriteTxn& txn, const Actor& actor,
                             const ProviderServiceUpdate& in) {
  (void)actor;
  MEDMIJ_RETURN_IF_ERROR(ValidateProviderName(in.provider, "provider name"));
  MEDMIJ_RETURN_IF_ERROR(ValidateServiceId(in.service_id, "service"));
  const bool new_subscription = in.subscription_max_days || in.subscription_uri;
  if (!in.interface_versions && !new_subscription && !in.remove_subscription) {
    return Status::Invalid(
        "provider service set: nothing to change (give --interface-version, "
        "--no-interface-versions, --subscription-max-days, --subscription-uri or "
        "--no-subscription)");
  }
  if (in.remove_subscription && new_subscription) {
    return Status::Invalid(
        "no-subscription: cannot be combined with --subscription-max-days or --subscription-uri");
  }
  MEDMIJ_ASSIGN_OR_RETURN(auto provider, txn.GetProvider(in.provider));
  if (!provider) return Status::NotFound("provider " + in.provider + " does not exist");
  auto it = provider->services.find(in.service_id);
  if (it == provider->services.end()) {
    return Status::NotFound("service: provider " + in.provider + " does not offer data service " +
                            in.service_id);
  }
  MEDMIJ_ASSIGN_OR_RETURN(Participant dva, Load(txn, provider->dva));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckProviderOwner(dva));
  ProviderService s = it->second;
  if (in.interface_versions) {
    MEDMIJ_ASSIGN_OR_RETURN(s.interface_versions, NormalInterfaceVersions(*in.interface_versions));
  }
  if (in.remove_subscription) {
    if (!s.subscription) {
      return Status::Invalid("no-subscription: data service " + in.service_id + " of " +
                             in.provider + " has no subscription");
    }
    s.subscription.reset();
  } else if (new_subscription) {
    if (!s.subscription && !(in.subscription_max_days && in.subscription_uri)) {
      return Status::Invalid(
          std::string(in.subscription_uri ? "subscription-max-days" : "subscription-uri") +
          ": data service " + in.service_id + " of " + in.provider +
          " has no subscription yet: give both --subscription-max-days and "
          "--subscription-uri");
    }
    const int64_t days =
        in.subscription_max_days.value_or(s.subscription ? s.subscription->max_days : 0);
    const std::string uri =
        in.subscription_uri.value_or(s.subscription ? s.subscription->endpoint_uri : "");
    MEDMIJ_ASSIGN_OR_RETURN(Subscription sub, MakeSubscription(days, uri));
    s.subscription = std::move(sub);
  }
  MEDMIJ_ASSIGN_OR_RETURN(auto service, txn.GetService(s.service_id));
  MEDMIJ_ASSIGN_OR_RETURN(auto nodes, DvaNodesAmong(txn, dva.id, s));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckProviderService(s, service.has_value(), nodes));
  it->second = std::move(s);
  txn.Put(*provider);
  return Status::Ok();
}

Status TransferProvider(store::WriteTxn& txn, const Actor& actor, const std::string& name,
                        const std::string& to, const std::string& reason) {
  MEDMIJ_RETURN_IF_ERROR(ValidateProviderName(name, "provider name"));
  MEDMIJ_RETURN_IF_ERROR(NeedReason(reason));
  MEDMIJ_ASSIGN_OR_RETURN(auto provider, txn.GetProvider(name));
  if (!provider) return Status::NotFound("provider " + name + " does not exist");
  MEDMIJ_ASSIGN_OR_RETURN(Participant target, Load(txn, to));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckTransferTarget(target, Role::kDva, provider->dva, actor.now));
  for (const auto& [id, s] : provider->services) {
    MEDMIJ_ASSIGN_OR_RETURN(auto service, txn.GetService(id));
    MEDMIJ_ASSIGN_OR_RETURN(auto nodes, DvaNodesAmong(txn, target.id, s));
    MEDMIJ_RETURN_IF_ERROR(policy::CheckProviderService(s, service.has_value(), nodes)
                               .WithContext("transfer to '" + target.id + "': data service " + id));
  }
  provider->dva = target.id;
  txn.Put(*provider);
  return Status::Ok();
}

Result<std::string> OpenCase(store::WriteTxn& txn, const Actor& actor,
                             const std::string& participant, const std::string& type,
                             const std::string& finding) {
  MEDMIJ_RETURN_IF_ERROR(ValidateParticipantId(type, "type"));
  MEDMIJ_RETURN_IF_ERROR(ValidateReason(finding, "finding"));
  MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, participant));
  MEDMIJ_RETURN_IF_ERROR(policy::CheckCaseOpen(p));
  ComplianceCase c;
  MEDMIJ_ASSIGN_OR_RETURN(uint64_t n, txn.NextCounter("case"));
  c.id = "case-" + std::to_string(n);
  c.participant = p.id;
  c.type = type;
  c.finding = finding;
  c.steps.push_back(CaseStepRecord{CaseStep::kFinding, Made(actor, finding), std::nullopt});
  txn.Put(c);
  return c.id;
}

Result<CaseStepResult> StepCase(store::WriteTxn& txn, const Actor& actor,
                                const std::string& case_id, const std::string& step,
                                const std::string& reason, std::optional<Time> deadline,
                                bool immediate) {
  MEDMIJ_RETURN_IF_ERROR(NeedReason(reason));
  auto to = ParseCaseStep(step);
  if (!to || *to == CaseStep::kFinding) {
    return Status::Invalid("to: must be explanation, notice, suspension or termination, got '" +
                           step + "'");
  }
  if (deadline && *deadline <= actor.now) {
    return Status::Invalid("deadline: must be in the future (" + FormatTime(*deadline) + ")");
  }
  MEDMIJ_ASSIGN_OR_RETURN(auto c, txn.GetCase(case_id));
  if (!c) return Status::NotFound("case '" + case_id + "' does not exist");
  MEDMIJ_RETURN_IF_ERROR(policy::CheckCaseStep(*c, *to, immediate));
  CaseStepResult result;
  result.participant = c->participant;
  std::string why = c->id + ": " + reason;
  if (*to == CaseStep::kSuspension) {
    MEDMIJ_ASSIGN_OR_RETURN(Participant p, Load(txn, c->participant));
    if (p.status != Lifecycle::kSuspended) MEDMIJ_RETURN_IF_ERROR(Suspend(txn, actor, p.id, why));
  } else if (*to == CaseStep::kTermination) {
    MEDMIJ_ASSIGN_OR_RETURN(result.termination_request,
                            RequestTermination(txn, actor, c->participant, why, c->id));
  }
  c->steps.push_back(CaseStepRecord{*to, Made(actor, reason), deadline});
  txn.Put(*c);
  return result;
}

Status CloseCase(store::WriteTxn& txn, const Actor& actor, const std::string& case_id,
                 const std::string& reason) {
  MEDMIJ_RETURN_IF_ERROR(NeedReason(reason));
  MEDMIJ_ASSIGN_OR_RETURN(auto c, txn.GetCase(case_id));
  if (!c) return Status::NotFound("case '" + case_id + "' does not exist");
  MEDMIJ_RETURN_IF_ERROR(policy::CheckCaseClose(*c));
  c->closed = Made(actor, reason);
  txn.Put(*c);
  return Status::Ok();
}

}  // namespace medmij::ops
