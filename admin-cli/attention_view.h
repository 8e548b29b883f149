// What `status` and `due` share: reading what needs attention from the store, and showing the
// items of registry/ops/attention.h for people and as JSON.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "admin-cli/context.h"
#include "admin-cli/terminal.h"
#include "registry/ops/attention.h"

namespace medmij::cli {

// The participants, cases and termination requests of `txn`, the tables `due` and `status`
// read. A record that does not decode is named on stderr (Context::ReportSkipped) and left out,
// so the rest is still shown; other read errors fail.
Result<RegistryState> ReadAttentionState(const Context& ctx, const store::Reader& txn);

// One item as JSON: kind, participant, email, ref, what, date (null: lapsed already), passed;
// evidence items also carry `lapses` (the same date), as `due` always has.
nlohmann::json DueJson(const ops::DueItem& item);
nlohmann::json DueJson(const std::vector<ops::DueItem>& items);

// DATE, KIND, PARTICIPANT, EMAIL, REF, WHAT: one row per item.
Table DueTable(const std::vector<ops::DueItem>& items);

}  // namespace medmij::cli
