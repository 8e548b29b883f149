// What "now" is, for a process and for the code it passes a clock to.
//
// Domain and policy code never reads a clock: it is given a Time. The edges (each binary's
// main, the service's publish loop and HTTP handler) read a Clock. The process clock is the
// wall clock, except under test: MEDMIJ_TEST_NOW=<RFC 3339 instant> (e.g.
// 2026-11-22T10:00:00Z), read once by InitProcessClock at the top of main, makes the process's
// clock start at that instant and run on at real speed (a fixed offset to the wall clock).
// FOR TESTS ONLY: nothing in a deployment sets it. Tests that need time to move faster than
// real time drive a Clock of their own (tests/support/fake_clock.h).
#pragma once

#include <condition_variable>
#include <mutex>

#include "registry/common/status.h"
#include "registry/common/time.h"

namespace medmij {

// Implementations are safe for concurrent use.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time Now() const = 0;
  // Waits on `cv` as cv.wait_until does (REQUIRES: `lock` holds the mutex the notifier takes)
  // until this clock reads `deadline`, a notify, or a spurious wake-up; callers re-check.
  virtual void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         Time deadline) const = 0;
};

// The environment variable that starts the process clock at an instant (tests only).
inline constexpr const char* kTestNowVariable = "MEDMIJ_TEST_NOW";

// Reads MEDMIJ_TEST_NOW. Unset or empty: the process clock is the wall clock. A value that is
// not an RFC 3339 instant with a zone is kInvalidArgument naming the variable (the binary
// exits 2). REQUIRES: called once, at the top of main, before any thread starts.
Status InitProcessClock();

// The process clock (the wall clock until InitProcessClock says otherwise).
const Clock& ProcessClock();

}  // namespace medmij
