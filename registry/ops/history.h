// A participant's history and standing as auditors ask for it: the rules shared by
// `medmij-admin participant explain|history` and the service's auditor endpoints, so both answer
// the same question the same way.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/domain/policy.h"
#include "registry/store/store.h"

namespace medmij::ops {

// True when `event` touched participant `id`: its subject is "participant:<id>", it changed the
// participant's own record, or it changed a record (before or after) whose "participant" or
// "dva" field names `id` (nodes, OAuth clients, providers, cases, termination requests).
bool EventTouchesParticipant(const store::JournalEvent& event, std::string_view id);

// The data-service catalogue in `r`, by id (what policy::ExplainLists and ListProvider read).
Result<std::map<std::string, DataService>> Catalogue(const store::Reader& r);

// A participant's standing and list membership at one instant.
struct Explanation {
  Participant participant;
  Time at{};
  policy::Standing standing;
  std::vector<policy::ListMembership> lists;
};

// From the records current in `r`.
Result<Explanation> Explain(const store::Reader& r, const Participant& p, Time at);
// As recorded in `state` (e.g. Store::StateAt(at)); nullopt when the participant is not in it.
std::optional<Explanation> ExplainInState(const RegistryState& state, const std::string& id,
                                          Time at);

// {"participant", "at", "status", "good_standing", "standing_reasons", "lists": [{"list", "on",
// "reasons", "left_out": [{"provider", "service"?, "reason"}]}]}: the document `explain --json`
// and the auditor endpoint answer with ("left_out" only for the provider lists; "service" absent
// when the whole provider is left out).
nlohmann::json ToJson(const Explanation& e);

}  // namespace medmij::ops
