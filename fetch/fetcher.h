// One run of medmij-fetch: for each list a conditional GET of its signed form, the participant
// checks (signer/participant.h, the code medmij-verify runs), and the install of both forms.
//
// A list is fetched with retries inside the run's deadline (exponential backoff with jitter,
// BackoffDelay), only for failures that another attempt may cure (Retryable). The checks are
// CheckList (signature, chain to the trust anchor, signing profile, schema, the list's kind),
// then StrictForm + CheckStrict for the strict form, then CheckSuccessor against the installed
// version (rollback, freeze). Only then are the files installed (InstallList, all or nothing)
// and the record updated; on any failure the files and the record's version stay as they were.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fetch/failure.h"
#include "fetch/fetch_state.h"
#include "fetch/http_client.h"
#include "registry/common/clock.h"
#include "registry/common/status.h"
#include "registry/domain/types.h"
#include "signer/signer.h"

namespace medmij::fetch {

enum class Outcome {
  kUpdated,      // a new version was verified and installed
  kNotModified,  // 304: the installed version is current
  kUnchanged,    // 200 with the installed version (files put back where they differed)
  kFailed,
};
std::string_view ToString(Outcome o);

struct ListRun {
  ListKind list = ListKind::kWhitelist;
  std::string url;
  Outcome outcome = Outcome::kFailed;
  int attempts = 0;
  std::optional<Failure> failure;    // set when kFailed
  std::optional<uint64_t> previous;  // the Volgnummer installed before this run
  ListRecord record;                 // after this run (the failure counted)
};

struct RunConfig {
  std::string base_url;  // CheckBaseUrl's result
  std::filesystem::path out_dir;
  HttpOptions http;
};

// The URL of the signed form of `list` under `base_url`: BASE/signed/MedMij_<List>.xml.
std::string SignedUrl(const std::string& base_url, ListKind list);

// Pure. The wait before attempt `attempt` + 1 after `attempt` failed (attempt >= 1), with
// `jitter` in [0, 1): half of min(1s * 2^(attempt-1), 30s) plus `jitter` times the other half.
Millis BackoffDelay(int attempt, double jitter);

// Fetches `lists` concurrently (one thread and one HttpClient each), giving up at `deadline`.
// `commit` is called (serialised) after a list's files were installed, with its new record, so
// the caller can save the state at once; its error turns that list's run into a kIo failure.
// REQUIRES: signer::Libraries and CurlGlobal exist; `verifier` outlives the call.
std::vector<ListRun> FetchLists(const RunConfig& config, const signer::Verifier& verifier,
                                const Clock& clock, const std::vector<ListKind>& lists,
                                const std::vector<ListRecord>& records,
                                std::chrono::steady_clock::time_point deadline,
                                const std::function<Status(ListKind, const ListRecord&)>& commit);

}  // namespace medmij::fetch
