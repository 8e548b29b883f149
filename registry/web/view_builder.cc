#include "registry/web/view_builder.h"

#include <algorithm>
#include <chrono>
#include <tuple>

#include "registry/domain/policy.h"

namespace medmij::web {
namespace {

std::string DisplayName(const std::map<std::string, DataService>& catalogue,
                        const std::string& id) {
  auto it = catalogue.find(id);
  return it != catalogue.end() ? it->second.display_name : id;
}

std::vector<PublicEvent> PublicHistory(const Participant& p) {
  std::vector<PublicEvent> out;
  for (const LabelEvent& l : p.labels) {
    out.push_back({l.recorded.at,
                   l.granted ? PublicEventKind::kLabelGranted : PublicEventKind::kLabelWithdrawn});
  }
  for (const StatusChange& c : p.status_history) {
    switch (c.to) {
      case Lifecycle::kActive:
        out.push_back({c.recorded.at, c.from == Lifecycle::kSuspended
                                          ? PublicEventKind::kReinstated
                                          : PublicEventKind::kActivated});
        break;
      case Lifecycle::kSuspended:
        out.push_back({c.recorded.at, PublicEventKind::kSuspended});
        break;
      case Lifecycle::kTerminated:
        out.push_back({c.recorded.at, PublicEventKind::kTerminated});
        break;
      case Lifecycle::kCandidate:
        break;
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const PublicEvent& a, const PublicEvent& b) { return a.at < b.at; });
  return out;
}

// `p` as the registry knew it at `t`: the status, label events and evidence recorded by then.
Participant AsRecordedAt(const Participant& p, Time t) {
  Participant q;
  q.status = Lifecycle::kCandidate;
  for (const StatusChange& c : p.status_history) {
    if (c.recorded.at <= t) q.status = c.to;
  }
  for (const LabelEvent& l : p.labels) {
    if (l.recorded.at <= t) q.labels.push_back(l);
  }
  for (const Certificate& c : p.certificates) {
    if (c.recorded.at <= t) q.certificates.push_back(c);
  }
  for (const AuditStatement& a : p.audit_statements) {
    if (a.recorded.at <= t) q.audit_statements.push_back(a);
  }
  return q;
}

}  // namespace

std::optional<Time> LeftGoodStandingAt(const Participant& p, Time at) {
  // Standing changes only at these instants: a decision recorded, evidence recorded, coming into
  // force or lapsing (policy.h: a certificate counts until valid_until, an audit statement for
  // kAuditStatementMaxAgeDays whole days).
  std::vector<Time> instants;
  for (const StatusChange& c : p.status_history) instants.push_back(c.recorded.at);
  for (const LabelEvent& l : p.labels) instants.push_back(l.recorded.at);
  for (const Certificate& c : p.certificates) {
    instants.insert(instants.end(), {c.recorded.at, c.valid_from, c.valid_until});
  }
  const auto audit_lapse = std::chrono::days(policy::kAuditStatementMaxAgeDays + 1);
  for (const AuditStatement& a : p.audit_statements) {
    instants.insert(instants.end(), {a.recorded.at, a.date, a.date + audit_lapse});
  }
  std::sort(instants.begin(), instants.end());
  instants.erase(std::unique(instants.begin(), instants.end()), instants.end());
  bool good = false;
  std::optional<Time> left;
  for (Time t : instants) {
    if (t > at) break;
    const bool now_good = policy::EvaluateStanding(AsRecordedAt(p, t), t).good;
    if (good && !now_good) left = t;
    if (now_good) left.reset();
    good = now_good;
  }
  return good ? std::nullopt : left;
}

std::optional<PublicParticipant> PublicParticipantOf(
    const Participant& p, const std::vector<Node>& nodes, const std::vector<OAuthClient>& clients,
    const std::vector<Provider>& providers, const std::map<std::string, DataService>& catalogue,
    std::vector<ListKind> on_lists, Time at) {
  if (p.status == Lifecycle::kCandidate) return std::nullopt;
  PublicParticipant out;
  out.id = p.id;
  out.legal_name = p.legal_name;
  out.roles = p.roles;
  out.status = p.status;
  out.good_standing = policy::EvaluateStanding(p, at).good;
  out.label_granted = p.LabelGranted();
  if (out.label_granted) out.label_since = p.labels.back().recorded.at;
  if (!out.good_standing) out.left_lists_at = LeftGoodStandingAt(p, at);
  if (p.HasRole(Role::kDva)) {
    for (const std::string& id : p.QualifiedServices()) {
      out.qualified_services.push_back(DisplayName(catalogue, id));
    }
  }
  out.on_lists = std::move(on_lists);
  for (const Node& n : nodes) out.nodes.push_back(n.hostname);
  for (const OAuthClient& c : clients)
    out.oauth_clients.push_back({c.hostname, c.organisation_name});
  for (const Provider& pr : providers) {
    PublicProvider pub;
    pub.name = pr.name;
    for (const auto& [id, service] : pr.services)
      pub.services.push_back(DisplayName(catalogue, id));
    out.providers.push_back(std::move(pub));
  }
  out.history = PublicHistory(p);
  return out;
}

RegisterView MakeRegisterView(std::vector<PublicParticipant> participants,
                              std::vector<PublishedList> lists, std::string trust_anchor_sha256) {
  auto folded = [](const std::string& s) {
    std::string out = s;
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  };
  std::vector<std::pair<std::string, PublicParticipant>> keyed;
  keyed.reserve(participants.size());
  for (PublicParticipant& p : participants) keyed.emplace_back(folded(p.legal_name), std::move(p));
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.id) < std::tie(b.first, b.second.id);
  });
  RegisterView view;
  view.participants.reserve(keyed.size());
  for (auto& [key, p] : keyed) view.participants.push_back(std::move(p));
  view.lists = std::move(lists);
  view.trust_anchor_sha256 = std::move(trust_anchor_sha256);
  return view;
}

}  // namespace medmij::web
