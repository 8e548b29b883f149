// A fixed set of worker threads for requests that take long (the auditor endpoints read the
// whole journal): they run here instead of on a reactor thread, so the connections that thread
// serves (list downloads) are not held up behind them.
//
// The queue is bounded and TrySubmit refuses rather than waits: a reactor thread must never
// block, and a client beyond the bound is better told 503 at once than kept waiting.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace medmij::http {

class WorkPool {
 public:
  // REQUIRES: threads >= 1.
  WorkPool(int threads, size_t max_queued);
  // Runs what is queued, then joins the threads.
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `job` unless `threads` jobs are running and `max_queued` more are waiting; false
  // when refused. Jobs must not throw. Safe for concurrent use.
  bool TrySubmit(std::function<void()> job);

 private:
  void Work();

  const size_t capacity_;  // threads + max_queued
  size_t admitted_ = 0;    // queued or running
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace medmij::http
