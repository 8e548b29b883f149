// Which journal events concern a participant: the one rule shared by `medmij-admin participant
// history` and the service's auditor endpoint, so both answer the same question the same way.
#pragma once

#include <string_view>

#include "registry/store/store.h"

namespace medmij::ops {

// True when `event` touched participant `id`: its subject is "participant:<id>", it changed the
// participant's own record, or it changed a record (before or after) whose "participant" or
// "dva" field names `id` (nodes, OAuth clients, providers, cases, termination requests).
bool EventTouchesParticipant(const store::JournalEvent& event, std::string_view id);

}  // namespace medmij::ops
