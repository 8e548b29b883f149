// A progress bar for long work at a terminal (import, journal verify, check, backup, publish).
//
// The bar is drawn on one line of a file descriptor (stderr by default) with carriage returns,
// only when that descriptor is a terminal: piped or redirected, a Progress writes nothing, so
// scripts and logs see exactly what they saw without it. Redraws are driven by the work (each
// Advance/Update), never by a timer thread, and rate-limited: at most one per `min_interval`,
// and only when what the line shows changes. The first line is drawn only once `min_interval`
// has passed, so short work shows no bar at all. Done() (and the destructor) clears the line,
// leaving the cursor at its start, so the command's own output follows on a clean line.
//
// Not safe for concurrent use: one thread advances a Progress.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace medmij {

// What code below the CLI reports: `done` units of `total` (total 0: not known).
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

struct ProgressOptions {
  int fd = STDERR_FILENO;
  std::chrono::milliseconds min_interval{100};
  // The time the rate limit reads; default std::chrono::steady_clock::now (tests inject one).
  std::function<std::chrono::steady_clock::time_point()> now;
  // Columns of the line; 0: the terminal's width on `fd` (80 when it does not say).
  size_t width = 0;
};

class Progress {
 public:
  // `label` leads the line ("import", "journal verify"); `total` units of work, 0 if unknown
  // (then the line shows the count without a bar).
  Progress(std::string label, uint64_t total, ProgressOptions options = {});
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Whether anything is drawn: `fd` is a terminal.
  bool enabled() const { return enabled_; }

  void SetTotal(uint64_t total);
  void Advance(uint64_t n = 1);
  // Sets the units done (monotonic use expected; a smaller value is shown as given).
  void Update(uint64_t done);
  // Clears the line if one was drawn; later calls draw nothing. Idempotent.
  void Done();

  // A ProgressFn that updates this Progress (total and done). REQUIRES: this outlives it.
  ProgressFn Callback();

  // The line for `done` of `total` in `width` columns (without "\r"), as Progress draws it:
  // "label [#####.....]  42%  420/1000", or "label  420" with total 0.
  static std::string Render(const std::string& label, uint64_t done, uint64_t total, size_t width);

 private:
  void MaybeDraw();
  void Write(const std::string& bytes);

  std::string label_;
  uint64_t total_ = 0;
  uint64_t done_ = 0;
  ProgressOptions options_;
  bool enabled_ = false;
  bool drawn_ = false;  // a line is on the terminal
  bool finished_ = false;
  size_t width_ = 80;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
  std::string last_line_;
  // Done units at which the line next looks different: the clock is read only then.
  uint64_t next_check_ = 0;
};

}  // namespace medmij
