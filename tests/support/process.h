// Test support: temporary directories, running the project's real binaries (to completion, or
// in the background until they report their port), and small helpers.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medmij::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct RunResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with the given arguments, feeding `input` on stdin, and collects stdout
// and stderr. `env` entries are added to (or override) the inherited environment. Gives up
// (kills the child) after `timeout_s` seconds and reports exit code 124.
RunResult RunProcess(const std::vector<std::string>& argv, const std::string& input = "",
                     const std::map<std::string, std::string>& env = {}, int timeout_s = 120);

// Starts argv[0] (a path) in the background with stdin and stdout on /dev/null and stderr
// appended to `stderr_file`; `env` as for RunProcess. Returns the child's pid (the caller
// reaps it), or -1.
pid_t SpawnDetached(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env,
                    const std::filesystem::path& stderr_file);

// Waits until `file` appears (written atomically: temp file + rename) holding a port number,
// and returns it; nullopt when process `pid` exits first, the file holds no port, or `timeout`
// passes. Event-driven (inotify on the directory and a pidfd), no polling.
std::optional<uint16_t> WaitForPortFile(const std::filesystem::path& file, pid_t pid,
                                        std::chrono::milliseconds timeout);

// Path of a binary built by this project, e.g. Binary("admin-cli/medmij-admin").
std::filesystem::path Binary(const std::string& relative);

// Concatenates by appending. Tests use it where they would write "x" + std::string: g++ 12 at
// -O2 (Release) reports a false -Wrestrict there (docs/PITFALLS.md, g++ 12).
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

// The whole content of a file ("" when it cannot be read).
std::string ReadBytes(const std::filesystem::path& file);
// How many entries `dir` holds (temp files included).
size_t CountEntries(const std::filesystem::path& dir);

// Splits text into lines (without the trailing newline).
std::vector<std::string> Lines(const std::string& text);

}  // namespace medmij::testing
