// The compliance policy (DESIGN.md, Domain). Decisions taken here beyond the header's contract:
// - Reinstatement (suspended -> active) needs the same evidence as activation: a certificate
//   that counts and a latest audit statement that counts at t. A suspended participant comes
//   back only with current evidence, never merely because someone lifts the suspension.
// - Activation does not need the MedMij label: the label is part of good standing (and so of
//   every list), not of signing the participant agreement.
// - Every back-channel host of a provider's data service must be a node of the serving DVA:
//   the token endpoint, every resource endpoint and, when present, the subscription endpoint.
// - Messages are for foundation staff: they name the participant, the evidence and the exact
//   instants (FormatTime; audit statements, which are dated by day, by FormatDate).
#include "registry/domain/policy.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "registry/domain/validate.h"

namespace medmij::policy {
namespace {

// An audit statement counts on [date, date + kAuditWindow).
constexpr Days kAuditWindow{kAuditStatementMaxAgeDays + 1};

std::string Join(const std::vector<std::string>& parts, std::string_view sep = "; ") {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string Quote(std::string_view s) {
  // Appended piece by piece: g++ 12 at -O2 reports a false -Wrestrict for "'" + std::string
  // (docs/PITFALLS.md, g++ 12).
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out.append(s);
  out += '\'';
  return out;
}

// A day-precision instant as a date, anything else in full.
std::string DateOrTime(Time t) {
  return std::chrono::floor<Days>(t) == t ? FormatDate(t) : FormatTime(t);
}

std::string CertName(const Certificate& c) {
  return "NEN 7510 certificate " + (c.number.empty() ? std::string("(no number)") : c.number);
}

std::string AuditName(const AuditStatement& a) {
  std::string s = "audit statement dated " + DateOrTime(a.date);
  if (!a.auditor.empty()) s += " by " + a.auditor;
  return s;
}

// Why no certificate counts at t; empty when one does.
std::vector<std::string> CertificateReasons(const Participant& p, Time t) {
  if (p.certificates.empty()) return {"no NEN 7510 certificate"};
  const Certificate* expired = nullptr;  // the one that lapsed last
  const Certificate* future = nullptr;   // the one that starts first
  std::vector<const Certificate*> valid;
  for (const auto& c : p.certificates) {
    if (CertificateCountsAt(c, t)) return {};
    if (CertificateValidAt(c, t)) {
      valid.push_back(&c);
    } else if (t < c.valid_from) {
      if (future == nullptr || c.valid_from < future->valid_from) future = &c;
    } else if (expired == nullptr || c.valid_until >= expired->valid_until) {
      expired = &c;
    }
  }
  std::vector<std::string> reasons;
  if (!valid.empty()) {
    // A valid certificate exists: what is wrong with it matters, not older or newer ones.
    for (const Certificate* c : valid) {
      if (!c->accredited) {
        reasons.push_back(CertName(*c) + ": certifying body " +
                          Quote(c->body.empty() ? "(none)" : c->body) +
                          " is not accredited (RvA / NEN licence)");
      }
      if (!c->registered) reasons.push_back(CertName(*c) + ": not in the NEN register");
    }
    return reasons;
  }
  if (expired != nullptr) {
    reasons.push_back(CertName(*expired) + " expired on " + FormatTime(expired->valid_until));
  }
  if (future != nullptr) {
    reasons.push_back(CertName(*future) + " is not yet valid (valid from " +
                      FormatTime(future->valid_from) + ")");
  }
  return reasons;
}

// Why the latest audit statement does not count at t; empty when it does.
std::vector<std::string> AuditReasons(const Participant& p, Time t) {
  const AuditStatement* a = LatestAuditStatement(p, t);
  if (a == nullptr) {
    const AuditStatement* next = nullptr;
    for (const auto& s : p.audit_statements) {
      if (next == nullptr || s.date < next->date) next = &s;
    }
    if (next == nullptr) return {"no audit statement"};
    // Deliberately without t: reasons change only at NextStandingChange instants.
    return {"no audit statement in force yet (the earliest is dated " + DateOrTime(next->date) +
            ")"};
  }
  std::vector<std::string> reasons;
  if (a->outcome != AuditOutcome::kConform) {
    reasons.push_back("latest " + AuditName(*a) + " is nonconform");
  }
  if (t >= a->date + kAuditWindow) {
    reasons.push_back("latest " + AuditName(*a) + " is older than 365 days (it counted until " +
                      FormatTime(a->date + kAuditWindow) + ")");
  }
  return reasons;
}

std::vector<std::string> EvidenceReasons(const Participant& p, Time t) {
  std::vector<std::string> reasons = CertificateReasons(p, t);
  std::vector<std::string> audit = AuditReasons(p, t);
  reasons.insert(reasons.end(), audit.begin(), audit.end());
  return reasons;
}

std::string_view Verb(Lifecycle from, Lifecycle to) {
  switch (to) {
    case Lifecycle::kActive:
      return from == Lifecycle::kSuspended || from == Lifecycle::kTerminated ? "reinstate"
                                                                             : "activate";
    case Lifecycle::kSuspended:
      return "suspend";
    case Lifecycle::kTerminated:
      return "terminate";
    case Lifecycle::kCandidate:
      break;
  }
  return "return to candidate";
}

std::string Who(const Participant& p) {
  return "participant " + p.id;
}

// Every back-channel URI of a data service, each with what it is for.
std::vector<std::pair<std::string_view, std::string>> BackChannelUris(const ProviderService& s) {
  std::vector<std::pair<std::string_view, std::string>> out;
  out.emplace_back(s.token_uri, "token endpoint");
  for (const auto& r : s.roles) {
    out.emplace_back(r.resource_uri, "resource endpoint of system role " + r.code);
  }
  if (s.subscription) out.emplace_back(s.subscription->endpoint_uri, "subscription endpoint");
  return out;
}

}  // namespace

bool CertificateValidAt(const Certificate& c, Time t) {
  return c.valid_from <= t && t < c.valid_until;
}

bool CertificateCountsAt(const Certificate& c, Time t) {
  return CertificateValidAt(c, t) && c.accredited && c.registered;
}

const AuditStatement* LatestAuditStatement(const Participant& p, Time t) {
  const AuditStatement* latest = nullptr;
  for (const auto& a : p.audit_statements) {
    if (a.date <= t && (latest == nullptr || a.date >= latest->date)) latest = &a;
  }
  return latest;
}

bool AuditStatementCountsAt(const AuditStatement& a, Time t) {
  return a.outcome == AuditOutcome::kConform && a.date <= t && t < a.date + kAuditWindow;
}

Time AuditStatementLapsesAt(const AuditStatement& a) {
  return a.date + kAuditWindow;
}

std::string_view ToString(EvidenceKind k) {
  return k == EvidenceKind::kCertificate ? "certificate" : "audit-statement";
}

namespace {

// The certificate that counts at t and longest, or nullptr.
const Certificate* CountingCertificate(const Participant& p, Time t) {
  const Certificate* best = nullptr;
  for (const auto& c : p.certificates) {
    if (CertificateCountsAt(c, t) && (best == nullptr || c.valid_until > best->valid_until)) {
      best = &c;
    }
  }
  return best;
}

// The latest audit statement at t when it counts, or nullptr.
const AuditStatement* CountingAuditStatement(const Participant& p, Time t) {
  const AuditStatement* a = LatestAuditStatement(p, t);
  return a != nullptr && AuditStatementCountsAt(*a, t) ? a : nullptr;
}

// Follows `counting` (evidence that counts at an instant, or nullptr) from t through the
// instants at which it can change (`changes`): the first at which nothing counts, and what
// counted just before it. nullopt when nothing ever stops counting after t.
template <typename Evidence, typename Counting>
std::optional<std::pair<Time, const Evidence*>> FirstLapse(std::vector<Time> changes, Time t,
                                                           const Evidence* last,
                                                           Counting counting) {
  std::sort(changes.begin(), changes.end());
  for (Time x : changes) {
    if (x <= t) continue;
    const Evidence* now = counting(x);
    if (now == nullptr) return std::make_pair(x, last);
    last = now;
  }
  return std::nullopt;
}

}  // namespace

std::vector<EvidenceLapse> LapsingEvidence(const Participant& p, Time t, Time horizon) {
  std::vector<EvidenceLapse> out;
  if (const Certificate* c = CountingCertificate(p, t); c == nullptr) {
    out.push_back({EvidenceKind::kCertificate, "no NEN 7510 certificate counts now", std::nullopt});
  } else {
    std::vector<Time> changes;
    for (const auto& x : p.certificates) {
      changes.push_back(x.valid_from);
      changes.push_back(x.valid_until);
    }
    auto lapse =
        FirstLapse(std::move(changes), t, c, [&](Time x) { return CountingCertificate(p, x); });
    if (lapse && lapse->first <= horizon) {
      const Certificate& last = *lapse->second;
      out.push_back(
          {EvidenceKind::kCertificate, last.number + " (" + last.body + ")", lapse->first});
    }
  }
  if (const AuditStatement* a = CountingAuditStatement(p, t); a == nullptr) {
    out.push_back({EvidenceKind::kAuditStatement, "no audit statement counts now", std::nullopt});
  } else {
    std::vector<Time> changes;
    for (const auto& x : p.audit_statements) {
      changes.push_back(x.date);
      changes.push_back(AuditStatementLapsesAt(x));
    }
    auto lapse =
        FirstLapse(std::move(changes), t, a, [&](Time x) { return CountingAuditStatement(p, x); });
    if (lapse && lapse->first <= horizon) {
      out.push_back({EvidenceKind::kAuditStatement, AuditName(*lapse->second), lapse->first});
    }
  }
  return out;
}

Standing EvaluateStanding(const Participant& p, Time t) {
  Standing s;
  if (p.status != Lifecycle::kActive) {
    s.reasons.push_back("status is " + std::string(ToString(p.status)) + ", not active");
  }
  if (p.labels.empty()) {
    s.reasons.push_back("MedMij label never granted");
  } else if (!p.labels.back().granted) {
    s.reasons.push_back("MedMij label withdrawn on " + FormatTime(p.labels.back().recorded.at));
  }
  std::vector<std::string> evidence = EvidenceReasons(p, t);
  s.reasons.insert(s.reasons.end(), evidence.begin(), evidence.end());
  s.good = s.reasons.empty();
  return s;
}

std::optional<Time> NextStandingChange(const Participant& p, Time t) {
  std::optional<Time> next;
  auto consider = [&](Time x) {
    if (x > t && (!next || x < *next)) next = x;
  };
  for (const auto& c : p.certificates) {
    consider(c.valid_from);
    consider(c.valid_until);
  }
  for (const auto& a : p.audit_statements) {
    consider(a.date);
    consider(a.date + kAuditWindow);
  }
  return next;
}

Status CheckTransition(const Participant& p, Lifecycle to, Time t) {
  const Lifecycle from = p.status;
  const std::string verb(Verb(from, to));
  if (from == Lifecycle::kTerminated) {
    return Status::Refused(verb + ": " + Who(p) + " is terminated; terminated is final");
  }
  if (from == to) {
    return Status::Refused(verb + ": " + Who(p) + " is already " + std::string(ToString(to)));
  }
  switch (to) {
    case Lifecycle::kTerminated:
      // Any living participant; the two-person rule is CheckTerminationApproval.
      return Status::Ok();
    case Lifecycle::kSuspended:
      if (from != Lifecycle::kActive) {
        return Status::Refused(verb + ": " + Who(p) + " is " + std::string(ToString(from)) +
                               "; only an active participant can be suspended");
      }
      return Status::Ok();
    case Lifecycle::kActive: {
      // candidate -> active (activate) and suspended -> active (reinstate) need the same
      // evidence: see the note at the top of this file.
      std::vector<std::string> missing = EvidenceReasons(p, t);
      if (!missing.empty()) {
        return Status::Refused(verb + ": " + Who(p) + " lacks evidence at " + FormatTime(t) + ": " +
                               Join(missing));
      }
      return Status::Ok();
    }
    case Lifecycle::kCandidate:
      break;
  }
  return Status::Refused(verb + ": " + Who(p) + " is " + std::string(ToString(from)) +
                         "; no participant returns to candidate");
}

Status CheckTerminationRequest(const Participant& p,
                               const std::vector<TerminationRequest>& pending_for_p) {
  if (p.status == Lifecycle::kTerminated) {
    return Status::Refused("terminate: " + Who(p) + " is already terminated");
  }
  for (const auto& r : pending_for_p) {
    if (!r.approved) {
      return Status::Refused(
          "terminate: " + Who(p) + " already has a pending termination request " + r.id +
          " (requested by " + r.requested.by + " at " + FormatTime(r.requested.at) + ")");
    }
  }
  return Status::Ok();
}

Status CheckTerminationApproval(const TerminationRequest& r, std::string_view approver) {
  if (r.approved) {
    return Status::Refused("approve: termination request " + r.id +
                           " is not pending (approved by " + r.approved->by + " at " +
                           FormatTime(r.approved->at) + ")");
  }
  if (approver.empty()) return Status::Refused("approve: an approving operator is required");
  if (approver == r.requested.by) {
    return Status::Refused("approve: termination request " + r.id + " was requested by " +
                           r.requested.by +
                           "; a different operator must approve it (two-person rule)");
  }
  return Status::Ok();
}

Status CheckNotTerminated(const Participant& p, std::string_view action) {
  if (p.status == Lifecycle::kTerminated) {
    return Status::Refused(std::string(action) + ": " + Who(p) + " is terminated");
  }
  return Status::Ok();
}

Status CheckLabelGrant(const Participant& p) {
  MEDMIJ_RETURN_IF_ERROR(CheckNotTerminated(p, "label grant"));
  if (p.LabelGranted()) {
    return Status::Refused("label grant: " + Who(p) + " already holds the MedMij label (granted " +
                           FormatTime(p.labels.back().recorded.at) + ")");
  }
  return Status::Ok();
}

Status CheckLabelWithdraw(const Participant& p) {
  if (!p.LabelGranted()) {
    return Status::Refused("label withdraw: " + Who(p) + " does not hold the MedMij label");
  }
  return Status::Ok();
}

Status CheckQualification(const Participant& p, bool service_in_catalogue) {
  MEDMIJ_RETURN_IF_ERROR(CheckNotTerminated(p, "qualification"));
  std::vector<std::string> wrong;
  if (!p.HasRole(Role::kDva)) wrong.push_back(Who(p) + " is not a DVA");
  if (!service_in_catalogue) wrong.push_back("the data service is not in the catalogue");
  if (!wrong.empty()) return Status::Refused("qualification: " + Join(wrong));
  return Status::Ok();
}

Status CheckOAuthClientOwner(const Participant& p) {
  MEDMIJ_RETURN_IF_ERROR(CheckNotTerminated(p, "oauth client"));
  if (!p.HasRole(Role::kDvp)) {
    return Status::Refused("oauth client: " + Who(p) +
                           " is not a DVP; only a DVP has OAuth clients");
  }
  return Status::Ok();
}

Status CheckProviderOwner(const Participant& p) {
  MEDMIJ_RETURN_IF_ERROR(CheckNotTerminated(p, "provider"));
  if (!p.HasRole(Role::kDva)) {
    return Status::Refused("provider: " + Who(p) + " is not a DVA; only a DVA serves providers");
  }
  return Status::Ok();
}

Status CheckProviderService(const ProviderService& s, bool service_in_catalogue,
                            const std::set<std::string>& dva_node_hostnames) {
  std::vector<std::string> wrong;
  if (!service_in_catalogue) {
    wrong.push_back("data service " + Quote(s.service_id) + " is not in the catalogue");
  }
  // Offending host -> what uses it, in the order first seen.
  std::vector<std::pair<std::string, std::vector<std::string>>> foreign;
  for (const auto& [uri, use] : BackChannelUris(s)) {
    std::string host = UriHost(uri);
    if (dva_node_hostnames.count(host) != 0) continue;
    auto it = std::find_if(foreign.begin(), foreign.end(),
                           [&](const auto& f) { return f.first == host; });
    if (it == foreign.end()) {
      foreign.emplace_back(host, std::vector<std::string>{use});
    } else {
      it->second.push_back(use);
    }
  }
  if (!foreign.empty()) {
    std::vector<std::string> hosts;
    for (const auto& [host, uses] : foreign) hosts.push_back(host + " (" + Join(uses, ", ") + ")");
    wrong.push_back("back-channel hosts that are not whitelist nodes of the serving DVA: " +
                    Join(hosts, ", "));
  }
  if (s.roles.empty()) wrong.push_back("needs at least one system role");
  std::set<std::string_view> codes;
  std::set<std::string_view> duplicates;
  for (const auto& r : s.roles) {
    if (!codes.insert(r.code).second) duplicates.insert(r.code);
  }
  for (std::string_view code : duplicates) {
    wrong.push_back("system role code " + Quote(code) + " appears more than once");
  }
  if (!wrong.empty()) {
    return Status::Refused("provider service " + Quote(s.service_id) + ": " + Join(wrong));
  }
  return Status::Ok();
}

Status CheckNodeRemoval(const Node& n, const std::vector<Provider>& providers_of_owner) {
  std::vector<std::string> users;
  for (const auto& provider : providers_of_owner) {
    std::vector<std::string> services;
    for (const auto& [id, service] : provider.services) {
      for (const auto& [uri, use] : BackChannelUris(service)) {
        if (UriHost(uri) == n.hostname) {
          services.push_back(id);
          break;
        }
      }
    }
    if (!services.empty()) {
      users.push_back(provider.name + " (data service" + (services.size() > 1 ? "s " : " ") +
                      Join(services, ", ") + ")");
    }
  }
  if (!users.empty()) {
    return Status::Refused("node remove: " + n.hostname + " is a back-channel host of provider" +
                           (users.size() > 1 ? "s " : " ") + Join(users, ", ") +
                           "; move or remove those services first");
  }
  return Status::Ok();
}

Status CheckTransferTarget(const Participant& target, Role role, std::string_view current_holder,
                           Time t) {
  std::vector<std::string> wrong;
  if (target.id == current_holder) wrong.push_back(target.id + " is already the current holder");
  if (!target.HasRole(role)) {
    wrong.push_back(target.id + " is not a " + (role == Role::kDvp ? "DVP" : "DVA"));
  }
  Standing standing = EvaluateStanding(target, t);
  if (!standing.good) {
    wrong.push_back(target.id + " is not in good standing at " + FormatTime(t) + " (" +
                    Join(standing.reasons) + ")");
  }
  if (!wrong.empty()) return Status::Refused("transfer: " + Join(wrong));
  return Status::Ok();
}

Status CheckCaseOpen(const Participant& p) {
  return CheckNotTerminated(p, "case open");
}

Status CheckCaseStep(const ComplianceCase& c, CaseStep to, bool immediate) {
  const std::string prefix = "case step: case " + c.id;
  if (!c.IsOpen()) {
    return Status::Refused(prefix + " is closed (by " + c.closed->by + " at " +
                           FormatTime(c.closed->at) + ")");
  }
  if (to == CaseStep::kFinding) {
    return Status::Refused(prefix + ": 'finding' opens a case and is not a later step");
  }
  const CaseStep current = c.CurrentStep();
  if (to <= current) {
    return Status::Refused(prefix + " is already at " + std::string(ToString(current)) +
                           "; steps only move forward (explanation -> notice -> suspension -> "
                           "termination)");
  }
  const auto next = static_cast<CaseStep>(static_cast<int>(current) + 1);
  if (to != next) {
    if (to != CaseStep::kSuspension && to != CaseStep::kTermination) {
      return Status::Refused(prefix + ": the next step after " + std::string(ToString(current)) +
                             " is " + std::string(ToString(next)) +
                             "; only suspension or termination may skip steps");
    }
    if (!immediate) {
      return Status::Refused(prefix + ": the next step after " + std::string(ToString(current)) +
                             " is " + std::string(ToString(next)) + "; going straight to " +
                             std::string(ToString(to)) +
                             " needs 'immediate' (the network's safety is at stake)");
    }
  }
  return Status::Ok();
}

Status CheckCaseClose(const ComplianceCase& c) {
  if (!c.IsOpen()) {
    return Status::Refused("case close: case " + c.id + " is already closed (by " + c.closed->by +
                           " at " + FormatTime(c.closed->at) + ")");
  }
  return Status::Ok();
}

bool IsProviderList(ListKind list) {
  return list == ListKind::kZorgaanbiederslijst || list == ListKind::kZorgaanbiederslijstRelease3 ||
         list == ListKind::kZorgaanbiederskoppellijst;
}

ProviderListing ListProvider(ListKind list, const Provider& provider, const Participant& dva,
                             const std::map<std::string, DataService>& catalogue) {
  ProviderListing out;
  if (!IsProviderList(list)) return out;
  const bool release3 = list != ListKind::kZorgaanbiederslijst;
  const std::set<std::string> qualified = dva.QualifiedServices();
  for (const auto& [id, service] : provider.services) {
    std::string why;
    if (qualified.count(service.service_id) == 0) {
      why = "DVA " + dva.id + " is not qualified for it";
    } else if (release3 && service.interface_versions.empty()) {
      why = "no interface version";
    } else if (release3 && catalogue.count(service.service_id) == 0) {
      why = "not in the data-service catalogue";
    }
    if (why.empty()) {
      out.services.push_back(&service);
    } else {
      out.omissions.push_back({id, std::move(why)});
    }
  }
  if (out.services.empty()) {
    out.omissions.push_back({"", provider.services.empty()
                                     ? "no data services"
                                     : (release3 ? "none of its data services can be published"
                                                 : "no data service its DVA is qualified for")});
  }
  if (list == ListKind::kZorgaanbiederskoppellijst &&
      std::none_of(provider.identifiers.begin(), provider.identifiers.end(),
                   [](const auto& kv) { return FindIdentifierKind(kv.first) != nullptr; })) {
    out.omissions.push_back({"", "no identifier (" + IdentifierKindsForMessages() + ")"});
  }
  out.listed = std::none_of(out.omissions.begin(), out.omissions.end(),
                            [](const Omission& o) { return o.service.empty(); });
  if (!out.listed) out.services.clear();
  return out;
}

std::vector<ListMembership> ExplainLists(const Participant& p, const std::vector<Node>& nodes,
                                         const std::vector<OAuthClient>& clients,
                                         const std::vector<Provider>& providers,
                                         const std::map<std::string, DataService>& catalogue,
                                         Time t) {
  const Standing standing = EvaluateStanding(p, t);
  std::vector<ListMembership> out;
  for (ListKind list : kAllLists) {
    if (list == ListKind::kGegevensdienstnamenlijst) continue;
    ListMembership m;
    m.list = list;
    m.reasons = standing.reasons;
    switch (list) {
      case ListKind::kWhitelist:
        if (nodes.empty()) m.reasons.push_back("no whitelist nodes");
        break;
      case ListKind::kOAuthClientList:
        if (!p.HasRole(Role::kDvp)) {
          m.reasons.push_back("not a DVP");
        } else if (clients.empty()) {
          m.reasons.push_back("no OAuth clients");
        }
        break;
      default: {
        if (!p.HasRole(Role::kDva)) {
          m.reasons.push_back("not a DVA");
          break;
        }
        bool any = false;
        for (const Provider& pr : providers) {
          ProviderListing l = ListProvider(list, pr, p, catalogue);
          any = any || l.listed;
          for (Omission& o : l.omissions) {
            m.left_out.push_back({pr.name, std::move(o.service), std::move(o.reason)});
          }
        }
        if (!any) {
          std::string what = list == ListKind::kZorgaanbiederslijst
                                 ? "no provider with a data service it is qualified for"
                             : list == ListKind::kZorgaanbiederslijstRelease3
                                 ? "no provider with a data service it is qualified for that has "
                                   "an interface version"
                                 : "no provider with an identifier and a data service it is "
                                   "qualified for that has an interface version";
          if (providers.empty()) what += " (it serves no providers)";
          m.reasons.push_back(std::move(what));
        }
        break;
      }
    }
    m.on = m.reasons.empty();
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace medmij::policy
