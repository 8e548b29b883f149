#include "registry/service/archive_compactor.h"

#include <iostream>

#include "registry/common/text.h"

namespace medmij::service {

ArchiveCompactor::ArchiveCompactor(store::Store& store) : store_(store) {
  thread_ = std::thread([this] { Run(); });
}

ArchiveCompactor::~ArchiveCompactor() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ArchiveCompactor::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void ArchiveCompactor::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return stop_ || (!wake_ && !running_); });
}

ArchiveCompactor::Stats ArchiveCompactor::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void ArchiveCompactor::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || wake_; });
    if (stop_) break;
    wake_ = false;
    running_ = true;
    bool more = true;
    while (more) {
      lock.unlock();
      // One version per call, so a stop (or shutdown) waits for at most one re-encoding.
      auto report = store::CompactArchive(store_, 1);
      lock.lock();
      if (!report.ok()) {
        stats_.failures += 1;
        if (stats_.last_error != report.status().message()) {
          std::cerr << "medmij-registry: archive compaction: "
                    << EscapeForDisplay(report.status().message()) << std::endl;
        }
        stats_.last_error = report.status().message();
        break;
      }
      stats_.recoded += report->recoded;
      stats_.bytes_saved += report->bytes_before - report->bytes_after;
      if (report->recoded > 0) stats_.last_error.clear();
      more = report->more && !stop_;
    }
    running_ = false;
    cv_.notify_all();
  }
  running_ = false;
  cv_.notify_all();
}

}  // namespace medmij::service
