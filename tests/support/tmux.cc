#include "tests/support/tmux.h"

#include <unistd.h>

#include <atomic>

#include "tests/support/process.h"

namespace medmij::testing {
namespace {

constexpr const char* kTmux = "/usr/bin/tmux";

}  // namespace

Tmux::Tmux() {
  static std::atomic<int> counter{0};
  socket_ = Cat("medmij-test-", std::to_string(getpid()), "-", std::to_string(++counter));
}

Tmux::~Tmux() {
  RunProcess(Command({"kill-server"}), "", {}, 10);
}

std::vector<std::string> Tmux::Command(std::vector<std::string> args) const {
  std::vector<std::string> argv{kTmux, "-L", socket_, "-f", "/dev/null"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

bool Tmux::NewSession(const std::string& name, int width, int height, const std::string& command) {
  // After the command the pane's shell waits for a line that never comes (until the server is
  // killed): a pane whose process exits can be marked dead before tmux has read the last of its
  // output (remain-on-exit then shows a screen without it).
  return RunProcess(Command({"new-session", "-d", "-s", name, "-x", std::to_string(width), "-y",
                             std::to_string(height), "/bin/sh", "-c", Cat(command, "; read _")}),
                    "", {{"TERM", "xterm-256color"}}, 10)
             .exit_code == 0;
}

bool Tmux::SendKeys(const std::string& session, const std::vector<std::string>& keys,
                    bool literal) {
  std::vector<std::string> args{"send-keys", "-t", session};
  if (literal) args.push_back("-l");
  args.insert(args.end(), keys.begin(), keys.end());
  return RunProcess(Command(args), "", {}, 10).exit_code == 0;
}

std::string Tmux::Capture(const std::string& session) {
  // -J keeps trailing spaces (of the joined lines): drop them line by line.
  const std::string raw =
      RunProcess(Command({"capture-pane", "-p", "-J", "-t", session}), "", {}, 10).out;
  std::string out;
  for (std::string line : Lines(raw)) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
  return out;
}

std::optional<std::string> Tmux::WaitFor(const std::string& session,
                                         const std::function<bool(const std::string&)>& done,
                                         std::chrono::milliseconds timeout, std::string* last) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string screen;
  do {
    screen = Capture(session);
    if (done(screen)) return screen;
  } while (std::chrono::steady_clock::now() < deadline);
  if (last != nullptr) *last = screen;
  return std::nullopt;
}

std::optional<std::string> Tmux::WaitForText(const std::string& session, const std::string& text,
                                             std::chrono::milliseconds timeout, std::string* last) {
  return WaitFor(
      session, [&](const std::string& s) { return s.find(text) != std::string::npos; }, timeout,
      last);
}

}  // namespace medmij::testing
