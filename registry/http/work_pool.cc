#include "registry/http/work_pool.h"

namespace medmij::http {

WorkPool::WorkPool(int threads, size_t max_queued)
    : capacity_(static_cast<size_t>(threads) + max_queued) {
  threads_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

WorkPool::~WorkPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

bool WorkPool::TrySubmit(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || admitted_ >= capacity_) return false;
    ++admitted_;
    queue_.push_back(std::move(job));
  }
  ready_.notify_one();
  return true;
}

void WorkPool::Work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
    std::lock_guard<std::mutex> lock(mutex_);
    --admitted_;
  }
}

}  // namespace medmij::http
