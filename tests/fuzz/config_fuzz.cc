// Fuzz target: the service's configuration loader (registry/service/config.h: the TOML file) and
// the auditor tokens file it names (registry/http/auditors.h), on arbitrary bytes as the file.
// medmij-admin has no configuration file of its own (its options are command-line flags).
//
// Nothing may crash or throw out of ParseConfig, LoadConfig or AuditorTokens::Parse, and:
//   - a refusal is one line (no control character at all) that starts with the file's name;
//   - an accepted configuration holds only values in the documented ranges, absolute paths for
//     the required files, at least one list, and (from ParseConfig) no auditor tokens;
//   - when every path it names lies in the fixture's directory (key.pem, cert.pem, chain.pem,
//     auditors, auditors-open (mode 0644, refused), data/), the same text written to a file there
//     goes through LoadConfig too, with the same rules and the auditors loaded iff named.
// Seeds (corpus/config/): the example configuration, the unit tests' and edge cases.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "registry/http/auditors.h"
#include "registry/service/config.h"

namespace {

using namespace medmij;
using medmij::service::ServiceConfig;

[[noreturn]] void Fail(const std::string& why, std::string_view context = {}) {
  std::fprintf(stderr, "config_fuzz: %s\n%.*s\n", why.c_str(),
               static_cast<int>(std::min<size_t>(context.size(), 2000)), context.data());
  std::abort();
}

std::filesystem::path sandbox;

void RemoveSandbox() {
  std::error_code ec;
  if (!sandbox.empty()) std::filesystem::remove_all(sandbox, ec);
}

void Write(const std::string& name, std::string_view text, mode_t mode) {
  const std::filesystem::path p = sandbox / name;
  std::ofstream(p, std::ios::binary) << text;
  if (chmod(p.c_str(), mode) != 0) Fail("chmod " + p.string());
}

// One line naming `origin` first: no CR, LF or any other control character.
void CheckRefusal(const Status& s, const std::string& origin, std::string_view input) {
  const std::string& m = s.message();
  if (!m.starts_with(origin) || m.size() <= origin.size()) {
    Fail("a refusal that does not start with the file's name: " + m, input);
  }
  for (unsigned char c : m) {
    if (c < 0x20 || c == 0x7f) Fail("a refusal that is not one printable line: " + m, input);
  }
}

bool InSandbox(const std::filesystem::path& p) {
  if (p.empty()) return true;
  const std::filesystem::path n = p.lexically_normal();
  const auto rel = n.lexically_relative(sandbox);
  return !rel.empty() && *rel.begin() != ".." && n.string().starts_with(sandbox.string());
}

void CheckAccepted(const ServiceConfig& c, std::string_view input) {
  auto in = [](int64_t v, int64_t lo, int64_t hi) { return v >= lo && v <= hi; };
  if (!in(c.threads, 1, 64) || !in(static_cast<int64_t>(c.max_request_bytes), 1024, 65536) ||
      !in(c.check_interval_ms, 10, 60000) || !in(c.max_age_s, 0, 86400) ||
      !in(c.retry_interval_ms, 100, 3600000)) {
    Fail("a value out of its documented range accepted", input);
  }
  for (const auto* p : {&c.data_dir, &c.signing_key, &c.signing_certificate}) {
    if (p->empty() || !p->is_absolute()) Fail("a required path empty or relative", input);
  }
  for (const auto* p : {&c.signing_chain, &c.export_dir, &c.auditor_tokens_file}) {
    if (!p->empty() && !p->is_absolute()) Fail("an optional path relative", input);
  }
  if (c.lists.none()) Fail("no list to publish", input);
  if (c.listen_host.empty()) Fail("an empty listen host", input);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "medmij-config-fuzz-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) Fail("mkdtemp failed");
  sandbox = tmpl;
  std::atexit(RemoveSandbox);
  Write("key.pem", "-----BEGIN PRIVATE KEY-----\n", 0600);
  Write("cert.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
  Write("chain.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
  const std::string token_line =
      "alice:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\n";
  Write("auditors", "# auditors\n" + token_line, 0600);
  Write("auditors-open", token_line, 0644);
  std::filesystem::create_directory(sandbox / "data");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto tokens = http::AuditorTokens::Parse(text, "auditors");
  if (!tokens.ok()) {
    CheckRefusal(tokens.status(), "auditors", text);
  } else if (tokens->size() == 0) {
    Fail("a tokens file without an entry accepted", text);
  }

  auto parsed = service::ParseConfig(text, "registry.toml", sandbox);
  if (!parsed.ok()) {
    CheckRefusal(parsed.status(), "registry.toml", text);
    return 0;
  }
  CheckAccepted(*parsed, text);
  if (parsed->auditors != nullptr) Fail("ParseConfig loaded the auditors", text);

  for (const auto* p :
       {&parsed->data_dir, &parsed->signing_key, &parsed->signing_certificate,
        &parsed->signing_chain, &parsed->export_dir, &parsed->auditor_tokens_file}) {
    if (!InSandbox(*p)) return 0;  // would read files of the machine running the fuzzer
  }
  const std::filesystem::path file = sandbox / "registry.toml";
  Write("registry.toml", text, 0600);
  auto loaded = service::LoadConfig(file);
  if (!loaded.ok()) {
    CheckRefusal(loaded.status(), file.string(), text);
    return 0;
  }
  CheckAccepted(*loaded, text);
  if ((loaded->auditors != nullptr) != !loaded->auditor_tokens_file.empty()) {
    Fail("auditors loaded without a tokens file, or not loaded with one", text);
  }
  if (loaded->signing_key != parsed->signing_key || loaded->lists != parsed->lists ||
      loaded->listen_port != parsed->listen_port) {
    Fail("LoadConfig and ParseConfig disagree on the same text", text);
  }
  return 0;
}
