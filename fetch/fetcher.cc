#include "fetch/fetcher.h"

#include <algorithm>
#include <mutex>
#include <random>
#include <thread>

#include "fetch/install.h"
#include "signer/participant.h"

namespace medmij::fetch {

namespace {

using Steady = std::chrono::steady_clock;

struct ListContext {
  const RunConfig& config;
  const signer::Verifier& verifier;
  const Clock& clock;
  Steady::time_point deadline;
  const std::function<Status(ListKind, const ListRecord&)>& commit;
};

// A 200 body through the participant checks and into DIR. Updates `run` (outcome, record) on
// success; returns the failure otherwise, leaving the record's version as it was.
std::optional<Failure> Accept(const ListContext& ctx, const HttpResponse& response, ListRun& run) {
  const Time now = ctx.clock.Now();
  signer::CheckOptions options;
  options.expected = run.list;
  auto checked = signer::CheckList(ctx.verifier, response.body, now, options);
  if (!checked.ok()) return Failure{Reason::kInvalid, checked.status().message()};
  const signer::VerifiedList& v = checked->list;
  const std::string strict = signer::StrictForm(response.body, v);
  if (Status s = signer::CheckStrict(strict, response.body, v); !s.ok()) {
    return Failure{Reason::kInvalid, s.message()};
  }
  auto record_it = signer::CheckSuccessor(run.record.installed, v);
  if (!record_it.ok()) {
    const bool rollback =
        signer::ClassifySuccessor(run.record.installed, v) == signer::Succession::kRollback;
    return Failure{rollback ? Reason::kRollback : Reason::kFreeze, record_it.status().message()};
  }
  auto published = ParseTime(v.tijdstempel, "Tijdstempel");
  auto installed = InstallList(ctx.config.out_dir, PublishedFileName(run.list), strict,
                               response.body, published.ok() ? *published : now);
  if (!installed.ok()) return Failure{Reason::kIo, installed.status().message()};

  ListRecord next = run.record;
  if (*record_it) {
    next.installed = signer::AcceptedVersion{v.volgnummer, v.signed_content_sha256, v.tijdstempel};
    next.last_change = now;
  }
  next.url = run.url;
  next.etag = response.etag;
  next.last_confirmed = now;
  if (*record_it || installed->signed_written || installed->strict_written) {
    if (Status s = ctx.commit(run.list, next); !s.ok()) {
      return Failure{Reason::kIo, "installed, but the state was not saved: " + s.message()};
    }
  }
  run.record = std::move(next);
  run.outcome = *record_it ? Outcome::kUpdated : Outcome::kUnchanged;
  return std::nullopt;
}

ListRun FetchOne(const ListContext& ctx, ListKind list, const ListRecord& record) {
  ListRun run;
  run.list = list;
  run.url = SignedUrl(ctx.config.base_url, list);
  run.record = record;
  if (record.installed) run.previous = record.installed->volgnummer;

  auto client = HttpClient::Create(ctx.config.http);
  if (!client.ok()) {
    run.failure = Failure{Reason::kTransfer, client.status().message()};
  }
  // A validator only goes back to the URL that issued it, and only while both files are there
  // to be confirmed.
  const bool conditional = record.installed && !record.etag.empty() && record.url == run.url &&
                           Installed(ctx.config.out_dir, PublishedFileName(list));
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  bool out_of_time = false;
  while (client.ok()) {
    ++run.attempts;
    HttpAttempt attempt =
        (*client)->Get(run.url, conditional ? record.etag : std::string(), ctx.deadline);
    long status = 0;
    std::optional<Failure> failure;
    int retry_after = 0;
    if (!attempt.ok()) {
      failure = attempt.failure();
    } else {
      const HttpResponse& r = attempt.response();
      status = r.status;
      retry_after = r.retry_after;
      if (r.status == 200) {
        failure = Accept(ctx, r, run);
      } else if (r.status == 304 && conditional) {
        run.record.last_confirmed = ctx.clock.Now();
        run.outcome = Outcome::kNotModified;
      } else {
        failure = Failure{Reason::kHttpStatus, "HTTP " + std::to_string(r.status)};
      }
    }
    if (!failure) {
      run.failure.reset();
      break;
    }
    // A retry the deadline cut short says less than the failure that made it a retry.
    if (!(failure->deadline && run.failure)) run.failure = failure;
    out_of_time = failure->deadline;
    if (!Retryable(*failure, status)) break;
    Millis wait = BackoffDelay(run.attempts, jitter(rng));
    wait = std::max(wait, Millis(int64_t{retry_after} * 1000));
    if (Steady::now() + wait >= ctx.deadline) {
      out_of_time = true;
      break;
    }
    std::this_thread::sleep_for(wait);
  }
  if (run.failure) {
    run.outcome = Outcome::kFailed;
    if (run.attempts > 1) {
      run.failure->message += " (" + std::to_string(run.attempts) + " attempts";
      run.failure->message += out_of_time ? " until --deadline)" : ")";
    }
    ++run.record.failures[run.failure->reason];
  }
  return run;
}

}  // namespace

std::string_view ToString(Outcome o) {
  switch (o) {
    case Outcome::kUpdated:
      return "updated";
    case Outcome::kNotModified:
      return "not_modified";
    case Outcome::kUnchanged:
      return "unchanged";
    case Outcome::kFailed:
      return "failed";
  }
  return "failed";
}

std::string SignedUrl(const std::string& base_url, ListKind list) {
  std::string url = base_url;
  url.append("/signed/").append(PublishedFileName(list));
  return url;
}

Millis BackoffDelay(int attempt, double jitter) {
  const int64_t kBase = 1000, kCap = 30'000;
  int64_t ceiling = kBase;
  for (int i = 1; i < attempt && ceiling < kCap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, kCap);
  jitter = std::clamp(jitter, 0.0, 1.0);
  return Millis(ceiling / 2 + static_cast<int64_t>(jitter * static_cast<double>(ceiling / 2)));
}

std::vector<ListRun> FetchLists(const RunConfig& config, const signer::Verifier& verifier,
                                const Clock& clock, const std::vector<ListKind>& lists,
                                const std::vector<ListRecord>& records, Steady::time_point deadline,
                                const std::function<Status(ListKind, const ListRecord&)>& commit) {
  std::mutex commit_mutex;
  const std::function<Status(ListKind, const ListRecord&)> serialised =
      [&](ListKind list, const ListRecord& record) {
        std::lock_guard<std::mutex> lock(commit_mutex);
        return commit(list, record);
      };
  const ListContext ctx{config, verifier, clock, deadline, serialised};
  std::vector<ListRun> runs(lists.size());
  std::vector<std::thread> threads;
  threads.reserve(lists.size());
  for (size_t i = 0; i < lists.size(); ++i) {
    threads.emplace_back([&, i] { runs[i] = FetchOne(ctx, lists[i], records[i]); });
  }
  for (std::thread& t : threads) t.join();
  return runs;
}

}  // namespace medmij::fetch
