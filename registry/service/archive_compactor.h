// The archive compactor of medmij-registry: after each publication, on a thread of its own,
// re-encodes the archive's older list versions as keyframes and deltas (store::CompactArchive),
// so a one-entry change of a 150 MB list adds about as much to the LMDB map as it changes, not a
// whole copy. It runs after the new version is served and outside the publication, so it adds
// nothing to the time from a commit to the new list being served.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "registry/store/store.h"

namespace medmij::service {

class ArchiveCompactor {
 public:
  // `store` must outlive the compactor. Starts its thread, idle until Wake().
  explicit ArchiveCompactor(store::Store& store);
  ~ArchiveCompactor();  // stops after the version it is re-encoding
  ArchiveCompactor(const ArchiveCompactor&) = delete;
  ArchiveCompactor& operator=(const ArchiveCompactor&) = delete;

  // There may be versions to re-encode (a publication archived one): run soon. Never blocks.
  void Wake();

  // Waits until the compactor has nothing left to do since the last Wake() (for tests and the
  // benchmark: the state it reached, not a time).
  void WaitIdle();

  struct Stats {
    uint64_t recoded = 0;      // versions re-encoded since start
    uint64_t bytes_saved = 0;  // whole minus encoded size of those versions
    uint64_t failures = 0;     // runs that stopped on an error
    std::string last_error;    // of the last failed run; empty after a good one
  };
  Stats stats() const;

 private:
  void Run();

  store::Store& store_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;     // guarded by mu_
  bool running_ = false;  // guarded by mu_: a run is under way
  bool stop_ = false;     // guarded by mu_
  Stats stats_;           // guarded by mu_
  std::thread thread_;
};

}  // namespace medmij::service
