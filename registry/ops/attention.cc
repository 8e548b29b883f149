#include "registry/ops/attention.h"

#include <algorithm>

namespace medmij::ops {
namespace {

struct DueKindName {
  DueKind kind;
  std::string_view name;       // in output
  std::string_view selection;  // in --what
};
constexpr DueKindName kDueKindNames[] = {
    {DueKind::kCertificate, "certificate", "certificates"},
    {DueKind::kAuditStatement, "audit-statement", "audits"},
    {DueKind::kCaseDeadline, "case-deadline", "cases"},
    {DueKind::kApproval, "approval", "approvals"},
};

DueKind FromEvidence(policy::EvidenceKind k) {
  return k == policy::EvidenceKind::kCertificate ? DueKind::kCertificate : DueKind::kAuditStatement;
}

std::string EmailOf(const RegistryState& state, const std::string& id) {
  auto it = state.participants.find(id);
  return it == state.participants.end() ? std::string() : it->second.email;
}

}  // namespace

std::string_view ToString(DueKind k) {
  return kDueKindNames[static_cast<size_t>(k)].name;
}

Result<std::set<DueKind>> ParseDueKinds(std::string_view text, std::string_view option) {
  std::set<DueKind> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view word = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    auto it = std::find_if(std::begin(kDueKindNames), std::end(kDueKindNames),
                           [&](const DueKindName& n) { return n.selection == word; });
    if (it == std::end(kDueKindNames)) {
      return Status::Invalid(std::string(option) + ": '" + std::string(word) +
                             "' is not one of certificates, audits, cases, approvals");
    }
    out.insert(it->kind);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<DueItem> Due(const RegistryState& state, Time now, Time horizon,
                         const std::set<DueKind>& what) {
  std::vector<DueItem> out;
  const bool evidence =
      what.count(DueKind::kCertificate) != 0 || what.count(DueKind::kAuditStatement) != 0;
  if (evidence) {
    for (const auto& [id, p] : state.participants) {
      if (p.status == Lifecycle::kTerminated) continue;
      for (auto& lapse : policy::LapsingEvidence(p, now, horizon)) {
        DueKind kind = FromEvidence(lapse.kind);
        if (what.count(kind) == 0) continue;
        out.push_back({kind, id, p.email, "", std::move(lapse.what), lapse.at, false});
      }
    }
  }
  if (what.count(DueKind::kCaseDeadline) != 0) {
    for (const auto& [id, c] : state.cases) {
      if (!c.IsOpen() || c.steps.empty() || !c.steps.back().deadline) continue;
      Time deadline = *c.steps.back().deadline;
      if (deadline > horizon) continue;
      out.push_back({DueKind::kCaseDeadline, c.participant, EmailOf(state, c.participant), id,
                     std::string(ToString(c.CurrentStep())) + " (" + c.type + ")", deadline,
                     deadline <= now});
    }
  }
  if (what.count(DueKind::kApproval) != 0) {
    for (const auto& [id, r] : state.termination_requests) {
      if (r.approved) continue;
      out.push_back({DueKind::kApproval, r.participant, EmailOf(state, r.participant), id,
                     "termination requested by " + r.requested.by, r.requested.at, false});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const DueItem& a, const DueItem& b) {
    return a.at.value_or(Time::min()) < b.at.value_or(Time::min());
  });
  return out;
}

Summary Summarize(const RegistryState& state, const RegistryState* then, Time now) {
  Summary s;
  for (const auto& [id, p] : state.participants) {
    const std::string status(ToString(p.status));
    s.by_status[status] += 1;
    for (Role r : p.roles) s.by_role_status[std::string(ToString(r))][status] += 1;
    if (p.status == Lifecycle::kTerminated) continue;
    const bool good = policy::EvaluateStanding(p, now).good;
    (good ? s.good_standing : s.not_good_standing) += 1;
    if (good || then == nullptr) continue;
    auto before = then->participants.find(id);
    if (before != then->participants.end() &&
        policy::EvaluateStanding(before->second, now - Days(kStatusFellOutDays)).good) {
      s.fell_out.push_back(id);
    }
  }
  s.lapsing = Due(state, now, now + Days(kStatusLapseDays),
                  {DueKind::kCertificate, DueKind::kAuditStatement});
  s.approvals = Due(state, now, now, {DueKind::kApproval});
  for (const auto& [id, c] : state.cases) {
    if (c.IsOpen()) s.open_cases_by_step[std::string(ToString(c.CurrentStep()))] += 1;
  }
  s.deadlines = Due(state, now, now + Days(kStatusDeadlineDays), {DueKind::kCaseDeadline});
  return s;
}

}  // namespace medmij::ops
