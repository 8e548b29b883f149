// Test harness for the medmij-registry integration tests: temp dirs, subprocesses, a dev PKI,
// the real service on a free loopback port, and an HTTP client (libcurl).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/dev_pki.h"
#include "tests/support/process.h"
#include "tests/support/sha256.h"

namespace medmij::testing {

namespace fs = std::filesystem;

// TempDir, RunProcess, Binary and Lines come from tests/support; these are the service tests'
// spellings of the same things.
using CommandResult = RunResult;

// Runs argv[0] (a path, or a program name looked up in $PATH) with the arguments; stdout/stderr
// captured. `timeout` kills it (SIGKILL) and reports exit code 124.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

fs::path RegistryBinary();
fs::path AdminBinary();
fs::path SourceDir();

// `medmij-admin --data-dir DIR --operator OP args...`; fails the test on a non-zero exit unless
// `allow_failure`. With `test_now`, the command runs at that instant (MEDMIJ_TEST_NOW).
CommandResult Admin(const fs::path& data_dir, const std::vector<std::string>& args,
                    bool allow_failure = false, const std::string& op = "alice",
                    const std::string& test_now = "");

// A copy in `dir` of the dev PKI shared by the build tree (tests/support/dev_pki.h): ca.pem,
// signing.key, signing.pem, chain.pem.
struct Pki {
  fs::path dir, ca, key, cert, chain;
};
Pki MakeDevPki(const fs::path& dir);

// The notAfter of the certificate in `pem`.
std::chrono::system_clock::time_point CertNotAfter(const fs::path& pem);

// A registry with the demo data: `init` + import of deploy/demo/demo-data.sh.
void InitDemoRegistry(const fs::path& data_dir);
// `medmij-admin import` of `count` candidate participants "<prefix>0", "<prefix>1", ...: one
// journal event each, none on a list (so nothing to republish).
void ImportCandidates(const fs::path& data_dir, const std::string& prefix, int count);
// `medmij-admin publish` with the PKI's signing key: the lists the service would publish at
// start are there already, so its journal stays as it is until the next commit.
void PublishWithAdmin(const fs::path& data_dir, const Pki& pki);

struct ServiceOptions {
  fs::path data_dir;
  Pki pki;
  fs::path key, cert;  // default: pki.key / pki.cert
  fs::path export_dir;
  std::string default_form;  // [publish] default_form; empty: not in the config (the default)
  int64_t max_age_s = 60;
  int64_t check_interval_ms = 50;
  int64_t retry_interval_ms = 500;
  int threads = 2;
  fs::path auditor_tokens_file;    // empty: no [auditors] section
  std::string test_now;            // MEDMIJ_TEST_NOW for the service (empty: the wall clock)
  std::vector<std::string> lists;  // [publish] lists; empty: not in the config (every list)
  int renew_before_days = -1;      // [signing] renew_before_days; -1: not in the config
  fs::path trust_anchor;           // [signing] trust_anchor; empty: not in the config
  // When set, the service runs under Debian's libfaketime with FAKETIME set to this ("+15d":
  // fifteen days ahead of the wall clock), as FaketimeEnv says.
  std::string faketime;
  fs::path log_key;        // [transparency] key; empty: no [transparency] section
  std::string log_origin;  // [transparency] origin (with log_key)
};

// The environment that runs a program under Debian's libfaketime (package libfaketime, which
// `faketime` uses) at `spec` (FAKETIME syntax, e.g. "+15d"): its wall clock, and everything
// that reads it (OpenSSL's certificate validity), is moved; monotonic clocks are not, so
// timeouts and polls keep their real length.
std::map<std::string, std::string> FaketimeEnv(const std::string& spec);

// Writes a config file for `options` listening on 127.0.0.1:`port` (0: any free port).
fs::path WriteConfig(const fs::path& dir, const ServiceOptions& options, uint16_t port);

// The real medmij-registry binary on 127.0.0.1, on a port the kernel picks and the service
// reports (--port-file): a test only ever talks to its own service.
class Service {
 public:
  Service(const fs::path& work_dir, ServiceOptions options);
  ~Service();  // SIGKILL if still running
  // Starts it and waits (bounded) until it listens. Returns false when it exits first.
  bool Start();
  // SIGTERM, then waits (bounded); returns the exit code (-1 on timeout).
  int Stop();
  void Kill9();
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  std::string Url(const std::string& path) const;
  std::string Stderr() const;

 private:
  fs::path work_dir_;
  ServiceOptions options_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  fs::path config_, stderr_path_;
};

// deploy/nginx/medmij-registry.conf run by the real nginx, pointed at `service`'s port and
// `export_dir`, with `default_form` as its one configured value. The test binds the listening
// socket itself (127.0.0.1, a port the kernel picks) and nginx inherits it (the NGINX
// environment variable of its binary upgrade), so no other process can take the port between.
class NginxFront {
 public:
  NginxFront(const fs::path& work_dir, const fs::path& export_dir, uint16_t service_port,
             const std::string& default_form = "strict");
  ~NginxFront();  // SIGQUIT and wait
  // Starts nginx and waits (bounded) until it answers. Returns false on failure.
  bool Start();
  std::string Url(const std::string& path) const;
  std::string ErrorLog() const;

 private:
  fs::path prefix_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// Makes `dir` and its parent readable by others: nginx workers (www-data when the tests run as
// root) read the export dir, as in production.
void LetNginxRead(const fs::path& dir);

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercased names; last value wins
  std::string body;
  bool ok = false;  // a response was received
  std::string header(const std::string& name) const;
};

HttpResponse HttpGet(const std::string& url, const std::vector<std::string>& headers = {},
                     const std::string& method = "GET", bool path_as_is = false);

// Sends `raw` bytes on a new connection to 127.0.0.1:port and returns everything read until
// the peer closes or `timeout` passes.
std::string RawExchange(uint16_t port, const std::string& raw,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5));
// Length of the first complete HTTP response in `data` (0: incomplete).
size_t CompleteResponse(const std::string& data, bool head = false);

// One client connection kept open across requests; Exchange sends a request and returns one
// complete response (by Content-Length; none for 304 and HEAD-less bodies).
class KeptConnection {
 public:
  explicit KeptConnection(uint16_t port);
  ~KeptConnection();
  std::string Exchange(const std::string& raw, bool head = false,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  int fd_ = -1;
};

// Polls `pred` every 20 ms until true or `deadline` passes.
bool WaitFor(const std::function<bool()>& pred,
             std::chrono::milliseconds deadline = std::chrono::seconds(5));

std::string ReadFile(const fs::path& p);
void WriteFile(const fs::path& p, const std::string& content);
std::string IsoTime(std::chrono::system_clock::time_point t);  // 2026-11-22T10:00:00.000Z
// The <Volgnummer> of a list document, or 0.
uint64_t Volgnummer(const std::string& xml);
// The ?api= major of the list at `list_path` ("/MedMij_Whitelist.xml": "2"), from the list
// table (registry/domain/types.h).
std::string ApiMajor(const std::string& list_path);
// `signed_xml` with its `<ds:Signature ...>...</ds:Signature>` element cut out, found by text
// (an independent check of the service's stripping); unchanged without one.
std::string WithoutSignatureElement(const std::string& signed_xml);
// xmllint --schema with the official release XSD of `list_path` (schemas/reference/; for a
// release without a public XSD the project's strict one, schemas/strict/) on `xml`, as existing
// consumers validate: "" when valid, else xmllint's complaint.
std::string XmllintReference(const fs::path& work_dir, const std::string& list_path,
                             const std::string& xml);
// Stock `xmlsec1 --verify --enabled-key-data x509` of `xml` against the PKI's CA (the chain as
// untrusted intermediates), as a verifying node checks the signed form: "" when valid.
std::string XmlsecVerify(const fs::path& work_dir, const Pki& pki, const std::string& xml);
// The text of the <Tijdstempel> of a list document, or "".
std::string Tijdstempel(const std::string& xml);
// The consumers' own rule for a Tijdstempel (the PHP library's `Y-m-d\TH:i:sO`): strptime with
// "%Y-%m-%dT%H:%M:%S" and then exactly a zone (Z, +HH:MM or +HHMM), nothing else: no fraction.
// Returns the error, or "" when it parses.
std::string StrictTijdstempelError(const std::string& text);

}  // namespace medmij::testing
