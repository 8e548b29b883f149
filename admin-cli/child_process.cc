#include "admin-cli/child_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

extern char** environ;

namespace medmij::cli {

Result<pid_t> SpawnInOwnGroup(const std::vector<char*>& argv,
                              const posix_spawn_file_actions_t* actions) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], actions, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Status::IoError(std::strerror(rc));
  return pid;
}

void KillGroupAndReap(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
}

Result<std::optional<int>> WaitOrKillGroup(pid_t pid,
                                           std::chrono::steady_clock::time_point deadline) {
  const auto remaining_ms = [&deadline] {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<int64_t>(0, left.count()));
  };
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  int wstatus = 0;
  while (true) {
    const pid_t w = waitpid(pid, &wstatus, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) {
      const int err = errno;
      if (pidfd >= 0) close(pidfd);
      return Status::IoError(std::string("waitpid: ") + std::strerror(err));
    }
    if (remaining_ms() == 0) {
      if (pidfd >= 0) close(pidfd);
      KillGroupAndReap(pid);
      return std::optional<int>();
    }
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      poll(&p, 1, remaining_ms());
    } else {
      poll(nullptr, 0, std::min(10, remaining_ms()));
    }
  }
  if (pidfd >= 0) close(pidfd);
  return std::optional<int>(wstatus);
}

}  // namespace medmij::cli
