// The compliance policy: pure functions of (state, time). No clock, no I/O.
//
// Each check returns ok() or kFailedPrecondition with one line naming the rule ("activate: no
// NEN 7510 certificate valid at 2026-11-22T10:00:00.000Z"). Callers (registry/ops) fetch the
// records a rule needs and apply the decision; nothing here writes.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/types.h"

namespace medmij::policy {

// An audit statement counts while it is at most this many whole days old.
inline constexpr int kAuditStatementMaxAgeDays = 365;

// True when `c` is valid at `t`: valid_from <= t < valid_until.
bool CertificateValidAt(const Certificate& c, Time t);
// A certificate that counts for good standing: valid at t, accredited and registered.
bool CertificateCountsAt(const Certificate& c, Time t);
// The latest audit statement dated at or before t (by date; among equal dates the one recorded
// last), or nullptr.
const AuditStatement* LatestAuditStatement(const Participant& p, Time t);
// True when `a` is conform and at most kAuditStatementMaxAgeDays whole days old at t
// (date <= t < date + 366 days).
bool AuditStatementCountsAt(const AuditStatement& a, Time t);

// The instant an audit statement stops counting: date + kAuditStatementMaxAgeDays + 1 days.
Time AuditStatementLapsesAt(const AuditStatement& a);

// Evidence that stops counting: for the certificate and the audit-statement rule of good
// standing, the first instant after `t` at which the rule stops holding, following evidence
// that takes over without a gap (a renewed certificate valid from before the old one lapses
// extends the rule). `due` and `remind` share it.
enum class EvidenceKind { kCertificate, kAuditStatement };
std::string_view ToString(EvidenceKind k);  // "certificate" | "audit-statement"
struct EvidenceLapse {
  EvidenceKind kind = EvidenceKind::kCertificate;
  // The evidence that counts last before the lapse ("NEN-1 (Certifier BV)", "dated
  // 2026-01-05 by Audit BV"); when nothing counts at t, what is missing.
  std::string what;
  // When the rule stops holding; nullopt: it does not hold at t.
  std::optional<Time> at;
};
// One entry per rule that does not hold at t or stops holding before `horizon`, certificate
// first. A participant whose rules hold beyond `horizon` gives none.
std::vector<EvidenceLapse> LapsingEvidence(const Participant& p, Time t, Time horizon);

// Good standing at t (DESIGN.md): status active, label granted, a certificate that counts at t,
// and the latest audit statement conform and at most 365 days old. `reasons` lists every reason
// it is not, in a fixed order; empty when good.
struct Standing {
  bool good = false;
  std::vector<std::string> reasons;
};
Standing EvaluateStanding(const Participant& p, Time t);

// The earliest instant after `t` at which EvaluateStanding(p, ·) may change without anyone
// acting (a certificate starting or lapsing, an audit statement coming into force or becoming
// too old), or nullopt. The publisher sleeps until the earliest of these over all participants.
std::optional<Time> NextStandingChange(const Participant& p, Time t);

// Lifecycle: candidate -> active <-> suspended -> terminated; also candidate -> terminated.
// Everything else is refused. Activation needs a certificate that counts at t and a latest audit
// statement that counts at t. Termination goes through a TerminationRequest.
Status CheckTransition(const Participant& p, Lifecycle to, Time t);
// A new termination request: refused for a terminated participant or one with a pending request.
Status CheckTerminationRequest(const Participant& p,
                               const std::vector<TerminationRequest>& pending_for_p);
// Approval: the request is pending and `approver` differs from the requester.
Status CheckTerminationApproval(const TerminationRequest& r, std::string_view approver);

// Evidence and network data may not be added to a terminated participant.
Status CheckNotTerminated(const Participant& p, std::string_view action);
Status CheckLabelGrant(const Participant& p);     // not terminated; not already granted
Status CheckLabelWithdraw(const Participant& p);  // currently granted
// Qualification for a data service: the participant is a DVA, the service is in the catalogue.
Status CheckQualification(const Participant& p, bool service_in_catalogue);
Status CheckOAuthClientOwner(const Participant& p);  // a DVP, not terminated
Status CheckProviderOwner(const Participant& p);     // a DVA, not terminated

// A provider's data service: its id is in the catalogue, and every back-channel host (token
// endpoint and every resource endpoint) is a whitelist node of the serving DVA.
Status CheckProviderService(const ProviderService& s, bool service_in_catalogue,
                            const std::set<std::string>& dva_node_hostnames);
// A node may be removed only if no provider of its DVA uses it as a back-channel host.
Status CheckNodeRemoval(const Node& n, const std::vector<Provider>& providers_of_owner);

// Transfer (of a provider to another DVA, of an OAuth client to another DVP): the target holds
// `role` and is in good standing at t, and differs from the current holder.
Status CheckTransferTarget(const Participant& target, Role role, std::string_view current_holder,
                           Time t);

// Compliance cases: open only for a non-terminated participant; steps move forward through
// explanation -> notice -> suspension -> termination; skipping ahead is allowed only with
// `immediate` (network safety) and only to suspension or termination; a closed case takes no
// step.
Status CheckCaseOpen(const Participant& p);
Status CheckCaseStep(const ComplianceCase& c, CaseStep to, bool immediate);
Status CheckCaseClose(const ComplianceCase& c);

// The lists whose entries are providers: the ZAL (release2 and release3) and the ZAKL.
bool IsProviderList(ListKind list);

// Something a provider list leaves out of a provider whose DVA is in good standing.
struct Omission {
  std::string service;  // the data service left out; empty: the whole provider
  std::string reason;
};

// What `list` (IsProviderList) publishes of `provider`, served by `dva`, and what it leaves out
// and why; the list builders and `explain` share it. Standing and role of the DVA are the
// caller's part (a DVA not in good standing contributes nothing). The rules:
//   every provider list: only the data services the DVA is qualified for;
//   ZAL release3 and ZAKL: also only data services with at least one interface version and in
//     the catalogue (the two are read together: they list the same services);
//   ZAKL: only providers with at least one identifier;
//   a provider left with no data service is left out.
// `services` is in service id order; `omissions` names each data service left out (in service id
// order), then, when the provider is not listed, why.
struct ProviderListing {
  bool listed = false;
  std::vector<const ProviderService*> services;  // what the list publishes, when listed
  std::vector<Omission> omissions;
};
ProviderListing ListProvider(ListKind list, const Provider& provider, const Participant& dva,
                             const std::map<std::string, DataService>& catalogue);

// A provider of the participant and what a list leaves out of it (ListProvider's omissions).
struct ProviderOmission {
  std::string provider;
  std::string service;  // empty: the whole provider
  std::string reason;
};

// Why a participant is or is not on each list at t. `on` is true when it contributes at least
// one entry; `reasons` names every reason it does not (standing reasons first, then list-specific
// ones: "no whitelist nodes", "not a DVA", "no provider with a data service it is qualified
// for", ...). For the provider lists, `left_out` names each of its providers (or data services)
// the list leaves out for a reason of the provider's own, whatever the DVA's standing. GNL
// entries come from the catalogue, not from participants: it is not reported. One entry per
// other list, in kAllLists order.
struct ListMembership {
  ListKind list = ListKind::kWhitelist;
  bool on = false;
  std::vector<std::string> reasons;
  std::vector<ProviderOmission> left_out;
};
std::vector<ListMembership> ExplainLists(const Participant& p, const std::vector<Node>& nodes,
                                         const std::vector<OAuthClient>& clients,
                                         const std::vector<Provider>& providers,
                                         const std::map<std::string, DataService>& catalogue,
                                         Time t);

}  // namespace medmij::policy
