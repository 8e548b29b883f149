// The service configuration (TOML). The keys are a contract (DESIGN.md, issue 4):
//
//   [server]   listen = "127.0.0.1:8080" (port 0: any free port, see --port-file), threads = 2,
//              max_request_bytes = 8192 (headers included; larger requests get 413)
//   [storage]  data_dir = "/var/lib/medmij-registry"
//   [signing]  key, certificate (PEM paths, required), chain = "" (optional intermediates),
//              trust_anchor = "" (optional: the CA certificate participants verify the signed
//              lists against; /lijsten shows its SHA-256 fingerprint),
//              renew_before_days = 30 (0..3650: /healthz is 503 and /metrics flags renewal
//              while a served list's signing certificate expires within this many days)
//   [publish]  check_interval_ms = 250, max_age_s = 60, export_dir = "" (optional),
//              retry_interval_ms = 5000 (after a failed publication),
//              default_form = "strict" | "signed" (what the official names serve; see
//              registry/domain/list_form.h),
//              lists = [list ids] (the lists to publish, each once; default: every list of
//              kListSpecs)
//   [auditors] tokens_file = "" (optional; without it the /audit/ endpoints answer 404 as if
//              absent. Format and permissions: registry/http/auditors.h)
//   [transparency] key = "" (optional: an Ed25519 private key in PEM, as `openssl genpkey
//              -algorithm ed25519` writes it; with it the service signs checkpoints of the
//              journal's tree), origin = "..." (required with the key, refused without: the
//              checkpoints' origin line and the note's key name; printable ASCII without
//              spaces or '+', e.g. "registry.example.nl/log")
//
// Unknown sections or keys are refused, so a typo never silently falls back to a default.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "registry/common/note.h"
#include "registry/common/status.h"
#include "registry/domain/list_form.h"
#include "registry/http/auditors.h"

namespace medmij::service {

struct ServiceConfig {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  int threads = 2;
  size_t max_request_bytes = 8192;
  std::filesystem::path data_dir;
  std::filesystem::path signing_key;
  std::filesystem::path signing_certificate;
  std::filesystem::path signing_chain;  // empty: none
  std::filesystem::path trust_anchor;   // empty: none
  int64_t renew_before_days = 30;
  int64_t check_interval_ms = 250;
  int64_t max_age_s = 60;
  int64_t retry_interval_ms = 5000;
  std::filesystem::path export_dir;  // empty: none
  ListForm default_form = ListForm::kStrict;
  ListSet lists = kEveryList;
  std::filesystem::path auditor_tokens_file;  // empty: no auditor endpoints
  // Loaded by LoadConfig from auditor_tokens_file (ParseConfig leaves it null).
  std::shared_ptr<const http::AuditorTokens> auditors;
  std::filesystem::path log_key;  // empty: no checkpoints
  std::string log_origin;
  // Loaded by LoadConfig from log_key, named log_origin (ParseConfig leaves it null).
  std::shared_ptr<const note::Signer> log_signer;
};

// Reads and checks `file`. Errors are kInvalidArgument (or kIoError for an unreadable file)
// with one line naming the file and the key ("registry.toml: [server] threads: must be 1..64");
// control characters in what it echoes (keys, values, paths) are escaped (EscapeForDisplay,
// text.h). Relative paths in the file are resolved against the file's directory. Also checks that
// the key, certificate and chain files are readable, and loads the auditor tokens file (refusing it
// as AuditorTokens::Load does, the message prefixed with "FILE: [auditors] tokens_file: ") and
// the transparency log key ("FILE: [transparency] key: 'PATH': not an Ed25519 key (RSA)").
Result<ServiceConfig> LoadConfig(const std::filesystem::path& file);

// Parses config text; `origin` names it in messages, `base` resolves relative paths.
// Does not touch the file system.
Result<ServiceConfig> ParseConfig(std::string_view text, const std::string& origin,
                                  const std::filesystem::path& base);

}  // namespace medmij::service
