// medmij-fetch: a participant node's polling client for the MedMij lists.
//
//   medmij-fetch --base-url URL --trust CA.pem --out DIR [--state FILE] [--lists ID,...]
//                [--max-stale DURATION] [--metrics FILE] [--json] [--connect-timeout DURATION]
//                [--read-timeout DURATION] [--deadline DURATION] [--max-size BYTES]
//                [--cacert FILE] [--insecure-http]
//
// Exit 0: every list confirmed current in this run. 1: a list failed this run, but every list
// was confirmed within --max-stale. 3: a list was not confirmed within --max-stale, or never
// (stale: act). 2: bad usage or a state file that cannot be used (nothing was fetched).
// One line on stderr per failed or stale list names the list, the URL and the reason.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fetch/fetch_state.h"
#include "fetch/fetcher.h"
#include "fetch/http_client.h"
#include "fetch/report.h"
#include "fetch/units.h"
#include "registry/common/atomic_file.h"
#include "registry/common/clock.h"
#include "registry/common/text.h"
#include "registry/common/version.h"
#include "registry/domain/types.h"
#include "signer/signer.h"

namespace {

namespace fs = std::filesystem;
using namespace medmij;
using namespace medmij::fetch;

constexpr const char kProgram[] = "medmij-fetch";
constexpr const char kDefaultStateName[] = ".medmij-fetch-state.json";

int Usage(const std::string& message) {
  std::cerr << kProgram << ": " << EscapeForDisplay(message) << "\n";
  return kExitUsage;
}

std::string AllListIds() {
  std::string s;
  for (ListKind k : kAllLists) {
    if (!s.empty()) s += ",";
    s += ToString(k);
  }
  return s;
}

Result<std::vector<ListKind>> ParseLists(const std::string& text) {
  std::vector<ListKind> out;
  std::set<ListKind> seen;
  size_t at = 0;
  while (at <= text.size()) {
    const size_t comma = std::min(text.find(',', at), text.size());
    const std::string id = text.substr(at, comma - at);
    const std::optional<ListKind> kind = ParseListKind(id);
    if (!kind) {
      return Status::Invalid("--lists: unknown list '" + id + "'; the lists are " + AllListIds());
    }
    if (seen.insert(*kind).second) out.push_back(*kind);
    at = comma + 1;
  }
  return out;
}

// The output directory, locked for this run: two runs installing into one DIR are serialised
// even when they keep different state files. The returned descriptor holds the lock.
Result<int> LockOutDir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Status::Invalid("--out " + dir.string() + ": " + std::strerror(errno) +
                           (errno == ENOTDIR ? "" : " (it must be an existing directory)"));
  }
  if (::faccessat(fd, ".", W_OK, AT_EACCESS) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return Status::Invalid("--out " + dir.string() + " is not writable: " + why);
  }
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return Status::Invalid("--out " + dir.string() + ": cannot lock: " + why);
    }
  }
  return fd;
}

std::string Describe(const ListRun& r) {
  std::string line(ToString(r.list));
  const auto vn = [&] {
    return r.record.installed ? std::to_string(r.record.installed->volgnummer) : "(none)";
  };
  switch (r.outcome) {
    case Outcome::kUpdated:
      line += ": installed Volgnummer " + vn() +
              (r.previous ? " (was " + std::to_string(*r.previous) + ")" : "");
      break;
    case Outcome::kNotModified:
      line += ": not modified, Volgnummer " + vn();
      break;
    case Outcome::kUnchanged:
      line += ": unchanged, Volgnummer " + vn();
      break;
    case Outcome::kFailed:
      line += ": failed (" + std::string(ToString(r.failure->reason)) + "), " +
              (r.record.installed ? "kept Volgnummer " + vn() : "nothing installed");
      break;
  }
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Fetches the signed MedMij lists, checks them as medmij-verify does and installs both "
      "forms in DIR; on any failure the last good files stay. Exit 0: current, 1: a list "
      "failed but all are fresh, 3: a list is stale, 2: bad usage.",
      kProgram};
  std::string base_url, trust, out_dir, state_path, lists_text = AllListIds(), metrics_path, cacert;
  std::string max_stale_text = "1h", connect_text = "10s", read_text = "60s", deadline_text = "5m",
              max_size_text = "512MiB";
  bool as_json = false, insecure_http = false;
  app.add_option("--base-url", base_url,
                 "the registry, e.g. https://lists.medmij.example; the signed lists are fetched "
                 "from URL/signed/MedMij_<List>.xml")
      ->required()
      ->type_name("URL");
  app.add_option("--trust", trust, "PEM file with the foundation's CA certificate(s)")
      ->required()
      ->type_name("CA.pem");
  app.add_option("--out", out_dir, "existing directory the lists are installed in")
      ->required()
      ->type_name("DIR");
  app.add_option("--state", state_path,
                 "state file (JSON: installed Volgnummer and digest, ETag, last confirmation, "
                 "failure counts per list); default DIR/" +
                     std::string(kDefaultStateName))
      ->type_name("FILE");
  app.add_option("--lists", lists_text,
                 "comma-separated lists to fetch, as medmij-admin lists get names them")
      ->default_str(lists_text)
      ->type_name("ID,...");
  app.add_option("--max-stale", max_stale_text,
                 "exit 3 when a list was not confirmed current for this long (30s, 15m, 1h or "
                 "seconds)")
      ->default_str(max_stale_text)
      ->type_name("DURATION");
  app.add_option("--metrics", metrics_path,
                 "write Prometheus metrics to FILE atomically (node_exporter textfile collector: "
                 "name it *.prom)")
      ->type_name("FILE");
  app.add_flag("--json", as_json, "print one JSON document about the run on stdout");
  app.add_option("--connect-timeout", connect_text, "give up connecting after DURATION")
      ->default_str(connect_text)
      ->type_name("DURATION");
  app.add_option("--read-timeout", read_text,
                 "give up a connection that delivers no data for DURATION")
      ->default_str(read_text)
      ->type_name("DURATION");
  app.add_option("--deadline", deadline_text,
                 "the whole run, retries included, ends within DURATION")
      ->default_str(deadline_text)
      ->type_name("DURATION");
  app.add_option("--max-size", max_size_text,
                 "refuse a list larger than BYTES (a number, or with KiB, MiB, GiB)")
      ->default_str(max_size_text)
      ->type_name("BYTES");
  app.add_option("--cacert", cacert,
                 "PEM file with the CA(s) that issued the server's TLS certificate (default: the "
                 "system CAs)")
      ->type_name("FILE");
  app.add_flag("--insecure-http", insecure_http,
               "allow plain http:// to a host that is not loopback (tests, a local nginx)");
  app.set_version_flag("--version", VersionLine(kProgram));
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return Usage(std::string(e.what()) +
                 "; usage: medmij-fetch --base-url URL --trust CA.pem --out DIR [--state FILE] "
                 "[--lists ID,...] [--max-stale DURATION] [--metrics FILE] [--json] [...]; see "
                 "--help");
  }

  if (Status s = InitProcessClock(); !s.ok()) return Usage(s.message());
  const Clock& clock = ProcessClock();
  auto lists = ParseLists(lists_text);
  if (!lists.ok()) return Usage(lists.status().message());
  auto max_stale = ParseDuration(max_stale_text, "--max-stale");
  auto connect_timeout = ParseDuration(connect_text, "--connect-timeout");
  auto read_timeout = ParseDuration(read_text, "--read-timeout");
  auto deadline = ParseDuration(deadline_text, "--deadline");
  auto max_size = ParseByteSize(max_size_text, "--max-size");
  for (const Status* s : {&max_stale.status(), &connect_timeout.status(), &read_timeout.status(),
                          &deadline.status(), &max_size.status()}) {
    if (!s->ok()) return Usage(s->message());
  }
  auto base = CheckBaseUrl(base_url, insecure_http);
  if (!base.ok()) return Usage(base.status().message());
  if (!cacert.empty() && ::access(cacert.c_str(), R_OK) != 0) {
    return Usage("--cacert " + cacert + ": " + std::strerror(errno));
  }
  auto out_lock = LockOutDir(out_dir);
  if (!out_lock.ok()) return Usage(out_lock.status().message());

  auto libs = signer::Libraries::Init();
  if (!libs.ok()) return Usage(libs.status().message());
  auto verifier = signer::Verifier::Load(trust);
  if (!verifier.ok()) return Usage("--trust: " + verifier.status().message());
  if (state_path.empty()) state_path = (fs::path(out_dir) / kDefaultStateName).string();
  auto state = FetchState::Open(state_path);
  if (!state.ok()) return Usage(state.status().message());
  auto curl = CurlGlobal::Init();
  if (!curl.ok()) return Usage(curl.status().message());

  RunConfig config;
  config.base_url = *base;
  config.out_dir = out_dir;
  config.http.connect_timeout = *connect_timeout;
  config.http.read_timeout = *read_timeout;
  config.http.max_size = *max_size;
  config.http.cacert = cacert;
  config.http.insecure_http = insecure_http;
  config.http.user_agent = VersionLine(kProgram);

  std::vector<ListRecord> records;
  for (ListKind k : *lists) records.push_back((*state)->Get(k));
  FetchState& st = **state;
  const auto commit = [&](ListKind list, const ListRecord& record) {
    st.Put(list, record);
    return st.Save();
  };
  const auto run_deadline = std::chrono::steady_clock::now() + *deadline;
  std::vector<ListRun> runs =
      FetchLists(config, **verifier, clock, *lists, records, run_deadline, commit);

  bool io_failed = false;
  for (const ListRun& r : runs) st.Put(r.list, r.record);
  if (Status s = st.Save(); !s.ok()) {
    std::cerr << kProgram << ": " << EscapeForDisplay(s.message()) << "\n";
    io_failed = true;
  }
  const Time now = clock.Now();
  if (!metrics_path.empty()) {
    // The textfile collector reads only *.prom: the temp file (.NAME.tmp-XXXXXX) is never read.
    if (Status s = WriteFileAtomically(metrics_path, MetricsText(runs)); !s.ok()) {
      std::cerr << kProgram << ": --metrics: " << EscapeForDisplay(s.message()) << "\n";
      io_failed = true;
    }
  }

  int exit_code = ExitCode(runs, now, *max_stale);
  if (io_failed && exit_code == kExitCurrent) exit_code = kExitFailed;
  // One line per list that failed or is stale: the list, its URL, the reason.
  for (const ListRun& r : runs) {
    const bool stale = IsStale(r.record, now, *max_stale);
    if (!r.failure && !stale) continue;
    std::cerr << kProgram << ": " << ToString(r.list) << ": " << EscapeForDisplay(r.url) << ": ";
    if (r.failure) {
      // What the server sent or the verifier quoted from it: escaped, it stays one line.
      std::cerr << ToString(r.failure->reason) << ": " << EscapeForDisplay(r.failure->message);
      if (stale) std::cerr << "; ";
    }
    if (stale) {
      std::cerr << "stale: ";
      if (r.record.last_confirmed) {
        std::cerr << "last confirmed current " << FormatTime(*r.record.last_confirmed) << ", "
                  << (now - *r.record.last_confirmed).count() / 1000 << "s ago";
      } else {
        std::cerr << "never confirmed current";
      }
      std::cerr << " (--max-stale " << FormatDuration(*max_stale) << ")";
    }
    std::cerr << "\n";
  }
  if (as_json) {
    std::cout << RunJson(runs, now, *max_stale, exit_code).dump() << "\n";
  } else {
    for (const ListRun& r : runs) std::cout << Describe(r) << "\n";
  }
  ::close(*out_lock);
  return exit_code;
}
