#include "audit-cli/checkpoint_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "audit-cli/checkpoint_consistency.h"
#include "audit-cli/checkpoint_state.h"
#include "fetch/http_client.h"
#include "fetch/units.h"
#include "registry/common/base64.h"
#include "registry/common/clock.h"
#include "registry/common/text.h"
#include "registry/common/tlog_verify.h"
#include "registry/common/version.h"

namespace medmij::audit_cli {
namespace {

constexpr const char kProgram[] = "medmij-audit checkpoint";
// A checkpoint note is a few hundred bytes and a full tile 8 KiB: nothing the log should send
// for either comes near this.
constexpr uint64_t kMaxBody = 64 * 1024;

using Steady = std::chrono::steady_clock;

std::string Describe(const checkpoint::Checkpoint& c) {
  return c.origin + " size " + std::to_string(c.size) + " root " +
         Base64Encode({reinterpret_cast<const char*>(c.root.data()), c.root.size()});
}

// GETs `url` and returns the body of a 200. kNotFound for a 404 (a tile that is not there);
// kIoError naming the URL for anything else.
Result<std::string> Get(fetch::HttpClient& http, const std::string& url, Steady::time_point end) {
  fetch::HttpAttempt attempt = http.Get(url, "", end);
  if (!attempt.ok()) {
    return Status::IoError("GET " + url + ": " + std::string(ToString(attempt.failure().reason)) +
                           ": " + attempt.failure().message);
  }
  const long status = attempt.response().status;
  if (status == 404) return Status::NotFound("GET " + url + ": HTTP 404");
  if (status != 200) return Status::IoError("GET " + url + ": HTTP " + std::to_string(status));
  return attempt.response().body;
}

// Hash tiles from the log at `log_url`. A partial tile may be gone once the log has filled it
// (c2sp.org/tlog-tiles): then the full tile's first hashes are the same ones.
TileSource HttpTiles(fetch::HttpClient& http, const std::string& log_url, Steady::time_point end) {
  return [&http, log_url, end](const tiles::Tile& tile) -> Result<std::string> {
    auto bytes = Get(http, log_url + "/" + tiles::Path(tile), end);
    if (bytes.ok() || tile.full() || !bytes.status().IsNotFound()) return bytes;
    tiles::Tile full = tile;
    full.width = tiles::kWidth;
    auto whole = Get(http, log_url + "/" + tiles::Path(full), end);
    if (!whole.ok()) return bytes.status();  // the partial tile's 404 says what is missing
    if (whole->size() != tiles::kWidth * sizeof(merkle::Hash)) return whole;  // refused later
    return whole->substr(0, tile.width * sizeof(merkle::Hash));
  };
}

}  // namespace

int CheckpointCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Fetches the transparency log's latest signed checkpoint from URL/log/checkpoint, verifies "
      "its signature with VKEY-FILE and checks that it extends the checkpoint saved in FILE, by "
      "a consistency proof computed from the log's hash tiles (URL/log/tile/...). The first run "
      "trusts and saves what it sees. Exit 0: saved on first use, unchanged, or consistent (and "
      "saved). 1: not checked (network, a tile missing or wrong, a bad signature); the state is "
      "kept. 2: bad usage, or VKEY-FILE or the state file cannot be used. 3: SPLIT VIEW: the log "
      "went back, shows another root for the saved size, or its checkpoint does not extend the "
      "saved one; the state is kept and the refused checkpoint saved beside it as evidence "
      "(FILE.refused-SIZE-TIME).",
      kProgram};
  std::string base_url, vkey_file, state_file, cacert, deadline_text = "60s";
  bool insecure_http = false;
  app.add_option("--base-url", base_url, "the registry, e.g. https://registry.example.nl")
      ->required()
      ->type_name("URL");
  app.add_option("--vkey", vkey_file, "the log's verifier key (<name>+<hex id>+<base64 key>)")
      ->required()
      ->type_name("VKEY-FILE");
  app.add_option("--state", state_file,
                 "the last checkpoint accepted (the signed note, verbatim); created on first use")
      ->required()
      ->type_name("FILE");
  app.add_option("--cacert", cacert,
                 "PEM file with the CA(s) that issued the server's TLS certificate (default: the "
                 "system CAs)")
      ->type_name("FILE");
  app.add_flag("--insecure-http", insecure_http,
               "allow plain http:// to a host that is not loopback (tests, a local nginx)");
  app.add_option("--deadline", deadline_text, "the whole run ends within DURATION (30s, 5m)")
      ->default_str(deadline_text)
      ->type_name("DURATION");
  app.set_version_flag("--version", VersionLine("medmij-audit"));
  const auto usage = [&](const std::string& message) {
    err << kProgram << ": " << EscapeForDisplay(message) << "\n";
    return kCheckpointUsage;
  };
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
    app.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    return usage(std::string(e.what()) +
                 "\nusage: medmij-audit checkpoint --base-url URL --vkey VKEY-FILE --state FILE "
                 "[--cacert FILE] [--insecure-http] [--deadline DURATION]; see --help");
  }
  auto base = fetch::CheckBaseUrl(base_url, insecure_http);
  if (!base.ok()) return usage(base.status().message());
  auto deadline = fetch::ParseDuration(deadline_text, "--deadline");
  if (!deadline.ok()) return usage(deadline.status().message());
  if (!cacert.empty() && ::access(cacert.c_str(), R_OK) != 0) {
    return usage("--cacert " + cacert + ": " + std::strerror(errno));
  }
  auto log = tlog::ReadVerifierKeyFile(vkey_file);
  if (!log.ok()) return usage(log.status().message());
  auto state = CheckpointState::Open(state_file, *log);
  if (!state.ok()) return usage(state.status().message());

  const auto unchecked = [&](const std::string& message) {
    err << kProgram << ": " << EscapeForDisplay(message) << "; the state is kept\n";
    return kCheckpointUnchecked;
  };
  auto curl = fetch::CurlGlobal::Init();
  if (!curl.ok()) return unchecked(curl.status().message());
  fetch::HttpOptions options;
  options.connect_timeout = std::min(*deadline, Millis(10'000));
  options.read_timeout = *deadline;
  options.max_size = kMaxBody;
  options.cacert = cacert;
  options.insecure_http = insecure_http;
  options.user_agent = VersionLine("medmij-audit");
  auto http = fetch::HttpClient::Create(options);
  if (!http.ok()) return unchecked(http.status().message());
  const Steady::time_point end = Steady::now() + *deadline;
  const std::string log_url = *base + "/log";

  const std::string checkpoint_url = log_url + "/checkpoint";
  auto note = Get(**http, checkpoint_url, end);
  if (!note.ok()) return unchecked(note.status().message());
  auto latest = tlog::OpenCheckpoint(*note, *log);
  if (!latest.ok()) return unchecked(checkpoint_url + ": refused: " + latest.status().message());

  CheckpointState& st = **state;
  auto judgement = Judge(st.saved(), *latest, HttpTiles(**http, log_url, end));
  if (!judgement.ok()) return unchecked(judgement.status().message());

  switch (judgement->verdict) {
    case Verdict::kSame:
      out << "checkpoint " << Describe(*latest) << ": the same as the saved one\n";
      return kCheckpointOk;
    case Verdict::kFirstUse:
    case Verdict::kConsistent: {
      const std::string how = judgement->verdict == Verdict::kFirstUse
                                  ? "first use, trusted and saved to " + st.path().string() +
                                        " (compare its root with another auditor's)"
                                  : "consistent with the saved " + Describe(*st.saved()) + " (" +
                                        std::to_string(judgement->tiles_read) +
                                        " tiles read); saved";
      if (Status s = st.Save(*note); !s.ok()) return unchecked(s.message());
      out << "checkpoint " << Describe(*latest) << ": " << how << "\n";
      return kCheckpointOk;
    }
    case Verdict::kSplitView:
      break;
  }
  err << kProgram << ": SPLIT VIEW: " << EscapeForDisplay(judgement->why)
      << "; the saved state is kept";
  auto evidence = st.SaveRefused(*note, latest->size, ProcessClock().Now());
  if (evidence.ok()) {
    err << ", the refused checkpoint is in " << EscapeForDisplay(evidence->string()) << "\n";
  } else {
    err << ", the refused checkpoint could NOT be kept: "
        << EscapeForDisplay(evidence.status().message()) << "\n";
  }
  return kCheckpointSplitView;
}

}  // namespace medmij::audit_cli
