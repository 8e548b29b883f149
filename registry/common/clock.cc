#include "registry/common/clock.h"

#include <atomic>
#include <cstdlib>
#include <string_view>

namespace medmij {
namespace {

// Offset of the process clock from the wall clock, in milliseconds. Written once, before any
// thread starts (InitProcessClock), then only read.
std::atomic<int64_t> g_offset_ms{0};

class OffsetWallClock : public Clock {
 public:
  Time Now() const override {
    return WallClockNow() + Millis(g_offset_ms.load(std::memory_order_relaxed));
  }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 Time deadline) const override {
    const Time wall = deadline - Millis(g_offset_ms.load(std::memory_order_relaxed));
    cv.wait_until(lock, std::chrono::system_clock::time_point(wall));
  }
};

}  // namespace

Status InitProcessClock() {
  const char* value = std::getenv(kTestNowVariable);
  if (value == nullptr || *value == '\0') return Status::Ok();
  std::string_view text(value);
  if (IsDateOnly(text)) {
    return Status::Invalid(std::string(kTestNowVariable) +
                           ": must be an instant with a time and zone, got '" + std::string(text) +
                           "'");
  }
  auto start = ParseTime(text, kTestNowVariable);
  if (!start.ok()) return start.status();
  g_offset_ms.store((*start - WallClockNow()).count(), std::memory_order_relaxed);
  return Status::Ok();
}

const Clock& ProcessClock() {
  static const OffsetWallClock clock;
  return clock;
}

}  // namespace medmij
