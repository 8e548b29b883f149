#include "admin-cli/attention_view.h"

namespace medmij::cli {

using nlohmann::json;

Result<RegistryState> ReadAttentionState(const Context& ctx, const store::Reader& txn) {
  std::vector<store::CorruptRecord> corrupt;
  RegistryState state;
  MEDMIJ_ASSIGN_OR_RETURN(auto participants, txn.AllParticipants(&corrupt));
  for (auto& p : participants) state.participants.emplace(p.id, std::move(p));
  MEDMIJ_ASSIGN_OR_RETURN(auto cases, txn.AllCases(&corrupt));
  for (auto& c : cases) state.cases.emplace(c.id, std::move(c));
  MEDMIJ_ASSIGN_OR_RETURN(auto requests, txn.AllTerminationRequests(&corrupt));
  for (auto& r : requests) state.termination_requests.emplace(r.id, std::move(r));
  ctx.ReportSkipped(corrupt);
  return state;
}

json DueJson(const ops::DueItem& i) {
  const json date = i.at ? json(FormatTime(*i.at)) : json(nullptr);
  json j{{"kind", ops::ToString(i.kind)},
         {"participant", i.participant},
         {"email", i.email},
         {"ref", i.ref},
         {"what", i.what},
         {"date", date},
         {"passed", i.passed}};
  if (i.kind == ops::DueKind::kCertificate || i.kind == ops::DueKind::kAuditStatement) {
    j["lapses"] = date;
  }
  return j;
}

json DueJson(const std::vector<ops::DueItem>& items) {
  json rows = json::array();
  for (const auto& i : items) rows.push_back(DueJson(i));
  return rows;
}

Table DueTable(const std::vector<ops::DueItem>& items) {
  Table t{{"DATE", "KIND", "PARTICIPANT", "EMAIL", "REF", "WHAT"}, {}};
  for (const auto& i : items) {
    std::string date = i.at ? FormatTime(*i.at) : "LAPSED";
    if (i.passed) date += " (passed)";
    t.rows.push_back({date, std::string(ops::ToString(i.kind)), i.participant,
                      i.email.empty() ? "-" : i.email, i.ref.empty() ? "-" : i.ref, i.what});
  }
  return t;
}

}  // namespace medmij::cli
