// What needs a person at the foundation today: evidence about to lapse, case deadlines,
// termination requests waiting for a second operator, and a one-screen summary of the registry.
//
// Pure functions of a RegistryState snapshot and a time (no store, no clock): `due`, `status`
// and `remind` in the admin CLI read the snapshot once and hand it here. Lapse instants come
// from registry/domain/policy (LapsingEvidence); nothing here decides standing itself.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/policy.h"
#include "registry/domain/types.h"

namespace medmij::ops {

enum class DueKind { kCertificate, kAuditStatement, kCaseDeadline, kApproval };
inline constexpr std::array<DueKind, 4> kAllDueKinds = {
    DueKind::kCertificate, DueKind::kAuditStatement, DueKind::kCaseDeadline, DueKind::kApproval};
// "certificate" | "audit-statement" | "case-deadline" | "approval"
std::string_view ToString(DueKind k);
// `--what`: a comma-separated selection of "certificates", "audits", "cases", "approvals".
// kInvalidArgument naming `option` and the unknown word.
Result<std::set<DueKind>> ParseDueKinds(std::string_view text, std::string_view option);

struct DueItem {
  DueKind kind = DueKind::kCertificate;
  std::string participant;
  std::string email;  // the participant's contact e-mail; empty when none is recorded
  std::string ref;    // the case ("case-3") or termination request ("term-2"); empty for evidence
  std::string what;
  // Evidence: when it lapses (nullopt: it does not count now). Case: the deadline. Approval:
  // when termination was requested.
  std::optional<Time> at;
  bool passed = false;  // a case deadline that has passed
};

// Everything of the kinds in `what` that needs attention before `horizon`, sorted by date
// (undated evidence, which counts already not, first; ties keep kind order then participant
// order):
//   certificate, audit-statement: policy::LapsingEvidence of every participant not terminated;
//   case-deadline: every open case whose current step has a deadline before `horizon`
//     (passed ones included);
//   approval: every pending termination request (at any date: it waits now).
std::vector<DueItem> Due(const RegistryState& state, Time now, Time horizon,
                         const std::set<DueKind>& what);

// A one-screen summary (`medmij-admin status`). The parts that are not state (lists, journal)
// are the CLI's.
struct Summary {
  // Participants by role and status ("dvp" -> "active" -> 3); a participant holding both roles
  // counts under each.
  std::map<std::string, std::map<std::string, int>> by_role_status;
  std::map<std::string, int> by_status;  // every participant once
  int good_standing = 0;
  int not_good_standing = 0;  // of the participants not terminated
  // Participants in good standing at `week_ago` (in the state as it was then) and not now.
  std::vector<std::string> fell_out;
  std::vector<DueItem> lapsing;    // certificates and audit statements within 30 days
  std::vector<DueItem> approvals;  // pending termination requests
  std::map<std::string, int> open_cases_by_step;
  std::vector<DueItem> deadlines;  // of open cases: passed or within 7 days
};
inline constexpr int kStatusLapseDays = 30;
inline constexpr int kStatusDeadlineDays = 7;
inline constexpr int kStatusFellOutDays = 7;

// `then` is the state at now - kStatusFellOutDays (Store::StateAt), or nullptr when unknown.
Summary Summarize(const RegistryState& state, const RegistryState* then, Time now);

}  // namespace medmij::ops
