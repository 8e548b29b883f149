// A tmux server of its own (Debian's tmux, an isolated socket: `tmux -L <unique>`, no config
// file) for tests that look at a program as a person sees it at a terminal: start a detached
// session of a fixed size running a command, type into it (send-keys), read the screen
// (capture-pane). Waiting is for an outcome: WaitFor polls the pane until the expected text
// shows or a deadline passes. The server is killed on destruction.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace medmij::testing {

class Tmux {
 public:
  Tmux();
  ~Tmux();
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;

  // Starts detached session `name`, `width` x `height`, running `command` through /bin/sh. The
  // pane stays open, its screen as the command left it, after the command ends. False when tmux
  // fails.
  bool NewSession(const std::string& name, int width, int height, const std::string& command);
  // send-keys: with `literal`, `keys` is typed as text (-l); otherwise each is a key name
  // ("Enter", "Tab").
  bool SendKeys(const std::string& session, const std::vector<std::string>& keys,
                bool literal = false);
  // The visible screen, wrapped lines joined (-J), trailing spaces of each line kept out.
  std::string Capture(const std::string& session);
  // Polls the screen until `done(screen)` holds; returns that screen, or nullopt (with the last
  // screen in *last when given) once `timeout` passed.
  std::optional<std::string> WaitFor(const std::string& session,
                                     const std::function<bool(const std::string&)>& done,
                                     std::chrono::milliseconds timeout,
                                     std::string* last = nullptr);
  // WaitFor the screen to contain `text`.
  std::optional<std::string> WaitForText(const std::string& session, const std::string& text,
                                         std::chrono::milliseconds timeout,
                                         std::string* last = nullptr);

  const std::string& socket() const { return socket_; }

 private:
  std::vector<std::string> Command(std::vector<std::string> args) const;
  std::string socket_;
};

}  // namespace medmij::testing
