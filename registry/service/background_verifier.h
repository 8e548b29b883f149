// The background verifier of medmij-registry: right after each publication, on a thread of its
// own, every new version is checked with the participants' full verifier (signer::Verifier:
// schema, digest, signature, the chain to the anchor participants trust), exactly as a node
// checks what it downloads. The service's own checks before archiving are the fast ones; this is
// the independent second opinion. If it ever disagrees, /healthz is 503 and /metrics counts it.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "registry/common/clock.h"
#include "registry/domain/types.h"
#include "registry/http/served.h"
#include "signer/signer.h"

namespace medmij::service {

class BackgroundVerifier {
 public:
  // `anchor.verifier` null: off (the report says why). `clock` must outlive this.
  BackgroundVerifier(signer::RegistryAnchor anchor, const Clock& clock);
  ~BackgroundVerifier();  // finishes the check under way, drops the queued ones
  BackgroundVerifier(const BackgroundVerifier&) = delete;
  BackgroundVerifier& operator=(const BackgroundVerifier&) = delete;

  // Queues version `volgnummer` of `list` (its signed bytes, and the sha256 the archive
  // recorded for them) for checking. Never blocks. A newer version of the same list queued
  // before an older one was checked replaces it (what counts is the version being served).
  void Submit(ListKind list, uint64_t volgnummer, std::string sha256,
              std::shared_ptr<const http::ServedBody> body);

  // Waits until everything submitted so far is checked (for tests: the state, not a time).
  void WaitIdle();

  http::VerificationReport Report() const;

 private:
  struct Job {
    ListKind list;
    uint64_t volgnummer;
    std::string sha256;
    std::shared_ptr<const http::ServedBody> body;
  };
  void Run();
  // The disagreement of `verified` with what the archive recorded, or "".
  static std::string Disagreement(const Job& job, const Result<signer::VerifiedList>& verified);

  const signer::RegistryAnchor anchor_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;            // guarded by mu_
  bool busy_ = false;                // guarded by mu_
  bool stop_ = false;                // guarded by mu_
  http::VerificationReport report_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace medmij::service
