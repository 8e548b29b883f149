// What a run of medmij-fetch tells its operator and monitor: the exit code, the Prometheus
// metrics and the --json document. Pure functions of the runs' results and the time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fetch/fetcher.h"
#include "registry/common/time.h"

namespace medmij::fetch {

inline constexpr int kExitCurrent = 0;  // every list confirmed current in this run
inline constexpr int kExitFailed = 1;   // a list failed this run, but every list is still fresh
inline constexpr int kExitUsage = 2;    // bad usage, or a state file that cannot be used
inline constexpr int kExitStale = 3;    // a list older than --max-stale or never confirmed

// Whether the installed version of a list has gone unconfirmed for `max_stale` or more at `now`
// (a list never confirmed is stale).
bool IsStale(const ListRecord& record, Time now, Millis max_stale);

// kExitStale when any list IsStale, else kExitFailed when any failed, else kExitCurrent.
int ExitCode(const std::vector<ListRun>& runs, Time now, Millis max_stale);

// Prometheus text format (node_exporter textfile collector), one series per list of `runs`:
//   medmij_fetch_volgnummer{list}                         installed Volgnummer (0: none)
//   medmij_fetch_last_confirmed_timestamp_seconds{list}   Unix time (0: never)
//   medmij_fetch_last_change_timestamp_seconds{list}      Unix time (0: never)
//   medmij_fetch_failures_total{list,reason}              failed runs, every reason listed
std::string MetricsText(const std::vector<ListRun>& runs);

// The --json document of a run:
//   {"exit_code": N, "now": T, "max_stale_seconds": S,
//    "lists": [{"list", "url", "outcome", "attempts", "volgnummer", "previous_volgnummer",
//               "tijdstempel", "etag", "last_confirmed", "last_change", "stale",
//               "error": {"reason", "message"} | null}, ...]}
nlohmann::json RunJson(const std::vector<ListRun>& runs, Time now, Millis max_stale, int exit_code);

}  // namespace medmij::fetch
