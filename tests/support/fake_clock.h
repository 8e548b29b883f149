// A Clock that moves only when a test says so, for code that takes a Clock (the publish loop):
// events due at an instant happen when the test advances to it, without waiting in real time.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include "registry/common/clock.h"

namespace medmij::testing {

class FakeClock : public Clock {
 public:
  explicit FakeClock(Time start) : now_(start) {}

  Time Now() const override {
    std::lock_guard<std::mutex> g(mu_);
    return now_;
  }

  // Returns at once when `deadline` has passed; otherwise waits for a notify of `cv` (from its
  // owner or from Advance). Registering under `mu_` and Advance notifying with the waiter's
  // mutex held means an advance is never missed.
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 Time deadline) const override {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (deadline <= now_) return;
      waiters_.emplace_back(&cv, lock.mutex());
    }
    cv.wait(lock);
    std::lock_guard<std::mutex> g(mu_);
    auto it = std::find(waiters_.begin(), waiters_.end(), std::make_pair(&cv, lock.mutex()));
    if (it != waiters_.end()) waiters_.erase(it);
  }

  // Moves the clock to `t` (never backwards) and wakes every waiter.
  void Advance(Time t) {
    std::vector<std::pair<std::condition_variable*, std::mutex*>> waiters;
    {
      std::lock_guard<std::mutex> g(mu_);
      now_ = std::max(now_, t);
      waiters = waiters_;
    }
    for (auto [cv, m] : waiters) {
      std::lock_guard<std::mutex> g(*m);
      cv->notify_all();
    }
  }

 private:
  mutable std::mutex mu_;
  Time now_;
  mutable std::vector<std::pair<std::condition_variable*, std::mutex*>> waiters_;
};

}  // namespace medmij::testing
