#include "registry/service/background_verifier.h"

#include <iostream>

#include "registry/common/text.h"

namespace medmij::service {

BackgroundVerifier::BackgroundVerifier(signer::RegistryAnchor anchor, const Clock& clock)
    : anchor_(std::move(anchor)), clock_(clock) {
  report_.on = anchor_.verifier != nullptr;
  report_.off_reason = anchor_.off_reason;
  report_.anchor = anchor_.description;
  if (report_.on) thread_ = std::thread([this] { Run(); });
}

BackgroundVerifier::~BackgroundVerifier() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackgroundVerifier::Submit(ListKind list, uint64_t volgnummer, std::string sha256,
                                std::shared_ptr<const http::ServedBody> body) {
  if (!report_.on || body == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(queue_, [&](const Job& j) { return j.list == list; });
    queue_.push_back(Job{list, volgnummer, std::move(sha256), std::move(body)});
  }
  cv_.notify_all();
}

void BackgroundVerifier::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return stop_ || !report_.on || (queue_.empty() && !busy_); });
}

http::VerificationReport BackgroundVerifier::Report() const {
  std::lock_guard<std::mutex> lock(mu_);
  return report_;
}

std::string BackgroundVerifier::Disagreement(const Job& job,
                                             const Result<signer::VerifiedList>& verified) {
  if (!verified.ok()) return verified.status().message();
  if (verified->sha256 != job.sha256) {
    return "the verified bytes have sha256 " + verified->sha256 + ", the archive recorded " +
           job.sha256;
  }
  if (verified->volgnummer != job.volgnummer) {
    return "the verified list says Volgnummer " + std::to_string(verified->volgnummer) +
           ", the archive " + std::to_string(job.volgnummer);
  }
  return "";
}

void BackgroundVerifier::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    const auto verified = anchor_.verifier->Verify(job.body->bytes(), clock_.Now(), job.list);
    const std::string disagreement = Disagreement(job, verified);
    if (!disagreement.empty()) {
      std::cerr << "medmij-registry: ALARM: the participants' verifier refuses "
                << ToString(job.list) << " version " << job.volgnummer << ": "
                << EscapeForDisplay(disagreement) << std::endl;
    }
    lock.lock();
    http::VerificationReport::PerList& l = report_.lists[static_cast<size_t>(job.list)];
    l.volgnummer = job.volgnummer;
    l.ok = disagreement.empty();
    l.reason = disagreement;
    report_.checked_total += 1;
    if (!l.ok) report_.disagreements_total += 1;
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace medmij::service
