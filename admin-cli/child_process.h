// The programs medmij-admin runs (sendmail for `remind`, Chromium for `report`): each in a
// process group of its own, waited for until a deadline, and then ended together with whatever
// it started.
#pragma once

#include <spawn.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <vector>

#include "registry/common/status.h"

namespace medmij::cli {

// posix_spawnp of `argv` (null-terminated) in a new process group, with `actions` (may be
// null). The error is strerror's text of why it could not start.
Result<pid_t> SpawnInOwnGroup(const std::vector<char*>& argv,
                              const posix_spawn_file_actions_t* actions);

// Waits for `pid` (started by SpawnInOwnGroup) until `deadline`: on a pidfd when the kernel
// gives one, else checking every 10 ms. Its wait status, or nullopt when the deadline passed:
// then its process group is killed and it is reaped. kIoError when waiting fails.
Result<std::optional<int>> WaitOrKillGroup(pid_t pid,
                                           std::chrono::steady_clock::time_point deadline);

// Kills `pid`'s process group (and `pid`) and reaps it.
void KillGroupAndReap(pid_t pid);

}  // namespace medmij::cli
