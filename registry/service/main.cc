// medmij-registry: publishes the MedMij lists and serves them over HTTP.
//
//   medmij-registry --config /etc/medmij-registry/registry.toml [--port-file FILE]
//
// With --port-file, the port it listens on is written to FILE (decimal and a newline,
// atomically) once it accepts connections: with `listen = "127.0.0.1:0"` the kernel picks a
// free port, and whoever started the service reads it from there.
// MEDMIJ_TEST_NOW (tests only) starts the process clock at another instant
// (registry/common/clock.h).
//
// Exit codes: 0 after SIGTERM/SIGINT; 2 for a bad configuration, an unreadable or unusable key
// or certificate, a data directory without a registry, or a journal that is not consistent with
// the archived transparency-log checkpoint; 1 for anything else at start-up.
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "registry/common/atomic_file.h"
#include "registry/common/clock.h"
#include "registry/common/text.h"
#include "registry/common/version.h"
#include "registry/http/audit.h"
#include "registry/http/pistache_server.h"
#include "registry/publisher/publisher.h"
#include "registry/service/checkpointer.h"
#include "registry/service/config.h"
#include "registry/service/publish_loop.h"
#include "registry/store/store.h"
#include "signer/signer.h"

namespace {

int Fail(int code, const std::string& message) {
  std::cerr << "medmij-registry: " << medmij::EscapeForDisplay(message) << std::endl;
  return code;
}

int Run(int argc, char** argv) {
  using namespace medmij;
  CLI::App app{"MedMij registry: publishes the signed lists and serves them over HTTP"};
  if (Status st = InitProcessClock(); !st.ok()) return Fail(2, st.message());
  std::string config_path;
  std::string port_file;
  app.add_option("--config", config_path, "TOML configuration file")->required();
  app.set_version_flag("--version", VersionLine("medmij-registry"));
  app.add_option("--port-file", port_file,
                 "write the port listened on to this file (atomically) once listening");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    return Fail(2, e.what());
  }

  auto config = service::LoadConfig(config_path);
  if (!config.ok()) return Fail(2, config.status().message());

  auto libraries = signer::Libraries::Init();
  if (!libraries.ok()) return Fail(1, libraries.status().message());

  if (!std::filesystem::is_directory(config->data_dir)) {
    return Fail(2, config_path + ": [storage] data_dir: '" + config->data_dir.string() +
                       "' is not a directory (create it with medmij-admin init)");
  }
  store::OpenOptions open_options;
  open_options.create = false;
  auto store = store::Store::Open(config->data_dir, open_options);
  if (!store.ok()) {
    return Fail(2, config_path + ": [storage] data_dir: " + store.status().message());
  }
  auto signer = signer::Signer::Load(config->signing_key, config->signing_certificate,
                                     config->signing_chain, ProcessClock().Now());
  if (!signer.ok()) return Fail(2, config_path + ": [signing] " + signer.status().message());
  const std::chrono::seconds renew_before(config->renew_before_days * 86400);
  if ((*signer)->NotAfter() - ProcessClock().Now() <= renew_before) {
    std::cerr << "medmij-registry: warning: signing certificate " << (*signer)->SubjectName()
              << " expires at " << FormatTime((*signer)->NotAfter())
              << ", within [signing] renew_before_days = " << config->renew_before_days
              << ": configure its successor" << std::endl;
  }
  auto schemas = signer::SchemaSet::Load();
  if (!schemas.ok()) return Fail(1, schemas.status().message());
  if (!config->export_dir.empty() && !std::filesystem::is_directory(config->export_dir)) {
    return Fail(2, config_path + ": [publish] export_dir: '" + config->export_dir.string() +
                       "' is not a directory");
  }

  // Before any thread starts: every thread inherits the mask, and only sigwait below sees
  // SIGINT/SIGTERM. SIGPIPE is ignored (writes to closed peers must fail, not kill).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  publisher::Options publish_options;
  publish_options.export_dir = config->export_dir;
  publish_options.default_form = config->default_form;
  publish_options.lists = config->lists;
  // The transparency log continues from its archived checkpoint; a journal that does not
  // (rolled back, altered) stops the start: signing anyway would fork the log.
  std::unique_ptr<service::Checkpointer> checkpointer;
  std::unique_ptr<service::VersionProofs> proofs;
  if (config->log_signer) {
    proofs = std::make_unique<service::VersionProofs>(config->data_dir, config->export_dir);
    auto opened =
        service::Checkpointer::Open(**store, config->log_signer, config->data_dir, proofs.get());
    if (!opened.ok()) return Fail(2, config_path + ": [transparency] " + opened.status().message());
    checkpointer = std::move(opened).value();
    if (auto first = checkpointer->Update(); !first.ok()) {
      const bool refused = first.status().code() == Status::Code::kFailedPrecondition;
      return Fail(refused ? 2 : 1, "transparency log: " + first.status().message());
    }
  }

  // Every new version is checked before it is archived, against the anchor participants use.
  auto self_check = signer::SelfCheck::Load(config->trust_anchor, config->signing_chain,
                                            config->signing_certificate);
  if (!self_check.ok()) return Fail(2, config_path + ": " + self_check.status().message());
  publish_options.self_check = self_check->get();
  publisher::Publisher publisher(**store, **signer, **schemas, publish_options);
  service::PublishLoopOptions loop_options;
  loop_options.check_interval = Millis(config->check_interval_ms);
  loop_options.retry_interval = Millis(config->retry_interval_ms);
  loop_options.lists = config->lists;
  loop_options.checkpointer = checkpointer.get();
  std::unique_ptr<service::LogExport> log_export;
  if (checkpointer && !config->export_dir.empty()) {
    log_export = std::make_unique<service::LogExport>(**store, config->export_dir);
    loop_options.log_export = log_export.get();
  }
  loop_options.export_dir = config->export_dir;
  if (!config->trust_anchor.empty()) {
    auto fingerprint =
        signer::CertificateFingerprintSha256(config->trust_anchor, "[signing] trust_anchor");
    if (!fingerprint.ok()) return Fail(2, config_path + ": " + fingerprint.status().message());
    loop_options.trust_anchor_sha256 = std::move(fingerprint).value();
  }
  loop_options.proofs = proofs.get();
  service::ArchiveCompactor compactor(**store);
  loop_options.compactor = &compactor;
  auto anchor = signer::Verifier::LoadRegistryAnchor(config->trust_anchor, config->signing_chain,
                                                     config->signing_certificate);
  if (!anchor.ok()) return Fail(2, config_path + ": " + anchor.status().message());
  if (!anchor->verifier) {
    std::cerr << "medmij-registry: background verification is off: " << anchor->off_reason
              << std::endl;
  }
  service::BackgroundVerifier verifier(std::move(anchor).value(), ProcessClock());
  loop_options.verifier = &verifier;
  auto registry =
      std::make_shared<service::RegistryService>(**store, publisher, **signer, loop_options);
  if (Status st = registry->LoadFromArchive(); !st.ok()) return Fail(1, st.message());

  // Auditor endpoints only with a tokens file; without one /audit/ is 404 as if absent.
  std::shared_ptr<const http::AuditHandler> audit;
  if (config->auditors) {
    http::AuditOptions audit_options;
    if (checkpointer) {
      audit_options.log_size = [log = checkpointer.get()]() -> std::optional<uint64_t> {
        auto latest = log->LatestSigned();
        if (!latest) return std::nullopt;
        return latest->checkpoint.size;
      };
    }
    http::LatestCheckpoint latest;
    if (checkpointer) latest = [c = checkpointer.get()] { return c->Latest(); };
    audit = std::make_shared<http::AuditEndpoints>(**store, config->auditors, audit_options,
                                                   std::move(latest));
  }

  auto metrics = std::make_shared<http::RequestMetrics>();
  http::RouterOptions handler_options;
  handler_options.max_age_s = config->max_age_s;
  handler_options.default_form = config->default_form;
  handler_options.lists = config->lists;
  handler_options.renew_before = renew_before;
  http::ServerOptions server_options;
  server_options.host = config->listen_host;
  server_options.port = config->listen_port;
  server_options.threads = config->threads;
  server_options.limits.max_head_bytes = config->max_request_bytes;
  server_options.limits.max_body_bytes = config->max_request_bytes;
  auto server = http::HttpServer::Start(server_options, registry, handler_options, metrics, audit);
  if (!server.ok()) return Fail(1, server.status().message());
  const uint16_t port = (*server)->port();
  if (!port_file.empty()) {
    Status st = WriteFileAtomically(port_file, std::to_string(port) + "\n",
                                    AtomicWriteOptions{.mode = 0644, .replace = true});
    if (!st.ok()) {
      (*server)->Stop(Millis(0));
      return Fail(1, "--port-file: " + st.message());
    }
  }
  registry->Start();
  std::cerr << "medmij-registry: listening on " << config->listen_host << ":" << port << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << "medmij-registry: stopping (signal " << sig << ")" << std::endl;
  // Let responses already handed to the server reach their clients (bounded), then stop and
  // join its threads before the objects its handlers use go.
  (*server)->Stop(std::chrono::seconds(10));
  server->reset();
  registry->Stop();
  std::cerr << "medmij-registry: stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    return Fail(1, std::string("internal error: ") + e.what());
  }
}
