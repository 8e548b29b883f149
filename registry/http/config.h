// The service configuration (TOML). The keys are a contract (DESIGN.md, issue 4):
//
//   [server]   listen = "127.0.0.1:8080", threads = 2,
//              max_request_bytes = 8192 (headers included; larger requests get 413)
//   [storage]  data_dir = "/var/lib/medmij-registry"
//   [signing]  key, certificate (PEM paths, required), chain = "" (optional intermediates)
//   [publish]  check_interval_ms = 250, max_age_s = 60, export_dir = "" (optional),
//              retry_interval_ms = 5000 (after a failed publication)
//   [auditors] tokens_file = "" (reserved; auditor endpoints are not served yet)
//
// Unknown sections or keys are refused, so a typo never silently falls back to a default.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "registry/common/status.h"

namespace medmij::http {

struct ServiceConfig {
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  int threads = 2;
  size_t max_request_bytes = 8192;
  std::filesystem::path data_dir;
  std::filesystem::path signing_key;
  std::filesystem::path signing_certificate;
  std::filesystem::path signing_chain;  // empty: none
  int64_t check_interval_ms = 250;
  int64_t max_age_s = 60;
  int64_t retry_interval_ms = 5000;
  std::filesystem::path export_dir;  // empty: none
};

// Reads and checks `file`. Errors are kInvalidArgument (or kIoError for an unreadable file)
// with one line naming the file and the key ("registry.toml: [server] threads: must be 1..64").
// Relative paths in the file are resolved against the file's directory. Also checks that the
// key, certificate and chain files are readable.
Result<ServiceConfig> LoadConfig(const std::filesystem::path& file);

// Parses config text; `origin` names it in messages, `base` resolves relative paths.
// Does not touch the file system.
Result<ServiceConfig> ParseConfig(std::string_view text, const std::string& origin,
                                  const std::filesystem::path& base);

}  // namespace medmij::http
