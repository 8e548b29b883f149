#include "registry/ops/history.h"

#include <string>

namespace medmij::ops {

bool EventTouchesParticipant(const store::JournalEvent& event, std::string_view id) {
  constexpr std::string_view kPrefix = "participant:";
  const std::string& subject = event.meta.subject;
  if (subject.size() == kPrefix.size() + id.size() && subject.starts_with(kPrefix) &&
      std::string_view(subject).substr(kPrefix.size()) == id) {
    return true;
  }
  for (const auto& c : event.changes) {
    if (c.table == store::Table::kParticipants && c.key == id) return true;
    for (const auto* v : {&c.before, &c.after}) {
      if (!*v || !(*v)->is_object()) continue;
      for (const char* field : {"participant", "dva"}) {
        auto it = (*v)->find(field);
        if (it != (*v)->end() && it->is_string() && it->get_ref<const std::string&>() == id) {
          return true;
        }
      }
    }
  }
  return false;
}

namespace {

template <typename T, typename Pred>
std::vector<T> Select(const std::map<std::string, T>& records, Pred belongs) {
  std::vector<T> out;
  for (const auto& [key, value] : records) {
    if (belongs(value)) out.push_back(value);
  }
  return out;
}

}  // namespace

Result<std::map<std::string, DataService>> Catalogue(const store::Reader& r) {
  MEDMIJ_ASSIGN_OR_RETURN(std::vector<DataService> services, r.AllServices());
  std::map<std::string, DataService> out;
  for (DataService& s : services) {
    std::string id = s.id;
    out.emplace(std::move(id), std::move(s));
  }
  return out;
}

Result<Explanation> Explain(const store::Reader& r, const Participant& p, Time at) {
  MEDMIJ_ASSIGN_OR_RETURN(auto nodes, r.NodesOf(p.id));
  MEDMIJ_ASSIGN_OR_RETURN(auto clients, r.OAuthClientsOf(p.id));
  MEDMIJ_ASSIGN_OR_RETURN(auto providers, r.ProvidersOf(p.id));
  MEDMIJ_ASSIGN_OR_RETURN(auto catalogue, Catalogue(r));
  Explanation e{p, at, policy::EvaluateStanding(p, at), {}};
  e.lists = policy::ExplainLists(p, nodes, clients, providers, catalogue, at);
  return e;
}

std::optional<Explanation> ExplainInState(const RegistryState& state, const std::string& id,
                                          Time at) {
  auto it = state.participants.find(id);
  if (it == state.participants.end()) return std::nullopt;
  const Participant& p = it->second;
  Explanation e{p, at, policy::EvaluateStanding(p, at), {}};
  e.lists = policy::ExplainLists(
      p, Select(state.nodes, [&](const Node& n) { return n.participant == id; }),
      Select(state.oauth_clients, [&](const OAuthClient& c) { return c.participant == id; }),
      Select(state.providers, [&](const Provider& pr) { return pr.dva == id; }), state.services,
      at);
  return e;
}

nlohmann::json ToJson(const Explanation& e) {
  nlohmann::json doc{
      {"participant", e.participant.id},          {"at", FormatTime(e.at)},
      {"status", ToString(e.participant.status)}, {"good_standing", e.standing.good},
      {"standing_reasons", e.standing.reasons},   {"lists", nlohmann::json::array()}};
  for (const auto& m : e.lists) {
    nlohmann::json list{{"list", ToString(m.list)}, {"on", m.on}, {"reasons", m.reasons}};
    if (policy::IsProviderList(m.list)) {
      nlohmann::json left_out = nlohmann::json::array();
      for (const auto& o : m.left_out) {
        nlohmann::json entry{{"provider", o.provider}, {"reason", o.reason}};
        if (!o.service.empty()) entry["service"] = o.service;
        left_out.push_back(std::move(entry));
      }
      list["left_out"] = std::move(left_out);
    }
    doc["lists"].push_back(std::move(list));
  }
  return doc;
}

}  // namespace medmij::ops
