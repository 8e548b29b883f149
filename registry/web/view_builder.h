// From the registry's records to the public register's view (register_view.h): what may be
// shown of a participant, and nothing else. Pure: no I/O, no clock (the instant is passed in).
// The publish loop (registry/service/publish_loop.cc) reads the records once per publication and
// calls these; the pages are rendered from the result (render.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "registry/common/time.h"
#include "registry/domain/types.h"
#include "registry/web/register_view.h"

namespace medmij::web {

// The public facts of `p` at `at`: nullopt for a candidate (not part of the network, not
// public). `on_lists` are the published lists it is on at `at` (policy::ExplainLists, narrowed
// to [publish] lists), in kAllLists order; `catalogue` names the data services.
std::optional<PublicParticipant> PublicParticipantOf(
    const Participant& p, const std::vector<Node>& nodes, const std::vector<OAuthClient>& clients,
    const std::vector<Provider>& providers, const std::map<std::string, DataService>& catalogue,
    std::vector<ListKind> on_lists, Time at);

// The last instant at or before `at` at which `p` went from good standing to not, judging each
// instant by what was recorded by then (status, label, evidence); nullopt when it is in good
// standing at `at` or never was.
std::optional<Time> LeftGoodStandingAt(const Participant& p, Time at);

// The view of `participants` (in any order; sorted here as RegisterView says) and `lists`.
RegisterView MakeRegisterView(std::vector<PublicParticipant> participants,
                              std::vector<PublishedList> lists, std::string trust_anchor_sha256);

}  // namespace medmij::web
