#include "tests/integration/service/harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <atomic>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "registry/domain/types.h"

namespace medmij::testing {
namespace {

// The row of the list table whose published name is the last segment of `list_path` (query
// ignored); the test fails on a path that names no list.
const ListSpec& SpecOfPath(const std::string& list_path) {
  std::string name = fs::path(list_path.substr(0, list_path.find('?'))).filename().string();
  for (const ListSpec& s : kListSpecs) {
    if (s.file_name == name) return s;
  }
  ADD_FAILURE() << "no list is published as " << list_path;
  return kListSpecs[0];
}

using Clock = std::chrono::steady_clock;

std::string Quote(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

// The exit code of child `pid` (128 + signal when killed), -2 when it is still running after
// `timeout`, -1 on error. Waits on a pidfd: no polling.
int WaitExit(pid_t pid, std::chrono::milliseconds timeout) {
  int pid_fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pid_fd >= 0) {
    pollfd p{pid_fd, POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(timeout.count()));
    close(pid_fd);
    if (ready == 0) return -2;
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  std::vector<std::string> resolved = argv;
  if (!resolved.empty() && resolved[0].find('/') == std::string::npos) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t colon = dirs.find(':', start);
      if (colon == std::string::npos) colon = dirs.size();
      fs::path candidate = fs::path(dirs.substr(start, colon - start)) / resolved[0];
      if (access(candidate.c_str(), X_OK) == 0) {
        resolved[0] = candidate.string();
        break;
      }
      start = colon + 1;
    }
  }
  auto seconds = std::chrono::ceil<std::chrono::seconds>(timeout).count();
  return RunProcess(resolved, "", {}, static_cast<int>(std::max<int64_t>(seconds, 1)));
}

fs::path RegistryBinary() {
  return Binary("registry/service/medmij-registry");
}
fs::path AdminBinary() {
  return Binary("admin-cli/medmij-admin");
}
fs::path SourceDir() {
  return fs::path(MEDMIJ_SOURCE_DIR);
}

CommandResult Admin(const fs::path& data_dir, const std::vector<std::string>& args,
                    bool allow_failure, const std::string& op, const std::string& test_now) {
  std::vector<std::string> argv = {AdminBinary().string(), "--data-dir", data_dir.string(),
                                   "--operator", op};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> env;
  if (!test_now.empty()) env["MEDMIJ_TEST_NOW"] = test_now;
  CommandResult r = RunProcess(argv, "", env, 60);
  if (!allow_failure) {
    EXPECT_EQ(r.exit_code, 0) << Quote(argv) << "\n" << r.err;
  }
  return r;
}

Pki MakeDevPki(const fs::path& dir) {
  DevPki p = CopyDevPki(dir, /*ec=*/true);
  return Pki{p.dir, p.ca, p.key, p.cert, p.chain};
}

std::chrono::system_clock::time_point CertNotAfter(const fs::path& pem) {
  FILE* f = fopen(pem.c_str(), "r");
  if (f == nullptr) throw std::runtime_error("cannot read " + pem.string());
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  fclose(f);
  if (cert == nullptr) throw std::runtime_error("no certificate in " + pem.string());
  std::tm tm{};
  const bool ok = ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1;
  X509_free(cert);
  if (!ok) throw std::runtime_error("bad notAfter in " + pem.string());
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::map<std::string, std::string> FaketimeEnv(const std::string& spec) {
  static const std::string kLibrary = "/usr/lib/" MEDMIJ_MULTIARCH "/faketime/libfaketime.so.1";
  if (!fs::exists(kLibrary)) {
    throw std::runtime_error(kLibrary + " is missing: install faketime (scripts/install-deps.sh)");
  }
  return {{"LD_PRELOAD", kLibrary}, {"FAKETIME", spec}, {"FAKETIME_DONT_FAKE_MONOTONIC", "1"}};
}

void InitDemoRegistry(const fs::path& data_dir) {
  Admin(data_dir, {"init"});
  CommandResult demo = RunCommand({"bash", (SourceDir() / "deploy/demo/demo-data.sh").string()});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  fs::path jsonl = data_dir.parent_path() / (data_dir.filename().string() + "-demo.jsonl");
  WriteFile(jsonl, demo.out);
  Admin(data_dir, {"import", jsonl.string()});
}

void ImportCandidates(const fs::path& data_dir, const std::string& prefix, int count) {
  std::string lines;
  for (int i = 0; i < count; ++i) {
    lines += nlohmann::json{{"type", "participant"},
                            {"id", prefix + std::to_string(i)},
                            {"name", "Candidate " + std::to_string(i)},
                            {"kvk", "12345678"},
                            {"roles", {"dvp"}}}
                 .dump();
    lines += '\n';
  }
  fs::path jsonl =
      data_dir.parent_path() / (data_dir.filename().string() + "-" + prefix + ".jsonl");
  WriteFile(jsonl, lines);
  Admin(data_dir, {"import", jsonl.string()});
}

void PublishWithAdmin(const fs::path& data_dir, const Pki& pki) {
  Admin(data_dir, {"publish", "--key", pki.key.string(), "--cert", pki.cert.string(), "--chain",
                   pki.chain.string()});
}

fs::path WriteConfig(const fs::path& dir, const ServiceOptions& o, uint16_t port) {
  fs::path key = o.key.empty() ? o.pki.key : o.key;
  fs::path cert = o.cert.empty() ? o.pki.cert : o.cert;
  std::ostringstream c;
  c << "[server]\nlisten = \"127.0.0.1:" << port << "\"\nthreads = " << o.threads << "\n"
    << "[storage]\ndata_dir = \"" << o.data_dir.string() << "\"\n"
    << "[signing]\nkey = \"" << key.string() << "\"\ncertificate = \"" << cert.string()
    << "\"\nchain = \"" << o.pki.chain.string() << "\"\n";
  if (o.renew_before_days >= 0) c << "renew_before_days = " << o.renew_before_days << "\n";
  if (!o.trust_anchor.empty()) c << "trust_anchor = \"" << o.trust_anchor.string() << "\"\n";
  c << "[publish]\ncheck_interval_ms = " << o.check_interval_ms
    << "\nretry_interval_ms = " << o.retry_interval_ms << "\nmax_age_s = " << o.max_age_s
    << "\nexport_dir = \"" << o.export_dir.string() << "\"\n";
  if (!o.default_form.empty()) c << "default_form = \"" << o.default_form << "\"\n";
  if (!o.lists.empty()) {
    c << "lists = [";
    for (size_t i = 0; i < o.lists.size(); ++i) c << (i ? ", \"" : "\"") << o.lists[i] << "\"";
    c << "]\n";
  }
  if (!o.auditor_tokens_file.empty()) {
    c << "[auditors]\ntokens_file = \"" << o.auditor_tokens_file.string() << "\"\n";
  }
  if (!o.log_key.empty()) {
    c << "[transparency]\nkey = \"" << o.log_key.string() << "\"\norigin = \"" << o.log_origin
      << "\"\n";
  }
  static std::atomic<int> configs{0};
  fs::path file = dir / ("registry-" + std::to_string(++configs) + ".toml");
  WriteFile(file, c.str());
  return file;
}

Service::Service(const fs::path& work_dir, ServiceOptions options)
    : work_dir_(work_dir), options_(std::move(options)) {}

Service::~Service() {
  if (pid_ > 0) Kill9();
}

bool Service::Start() {
  static std::atomic<int> starts{0};
  const std::string id = std::to_string(::getpid()) + "-" + std::to_string(++starts);
  config_ = WriteConfig(work_dir_, options_, 0);
  stderr_path_ = work_dir_ / ("registry-" + id + ".err");
  const fs::path port_file = work_dir_ / ("registry-" + id + ".port");
  std::vector<std::string> argv = {RegistryBinary().string(), "--config", config_.string(),
                                   "--port-file", port_file.string()};
  std::map<std::string, std::string> env;
  if (!options_.test_now.empty()) env["MEDMIJ_TEST_NOW"] = options_.test_now;
  if (!options_.faketime.empty()) env.merge(FaketimeEnv(options_.faketime));
  pid_ = SpawnDetached(argv, env, stderr_path_);
  if (pid_ <= 0) return false;
  auto port = WaitForPortFile(port_file, pid_, std::chrono::seconds(20));
  if (!port) {
    Kill9();
    return false;
  }
  port_ = *port;
  return true;
}

int Service::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int code = WaitExit(pid_, std::chrono::seconds(20));
  if (code == -2) {
    kill(pid_, SIGKILL);
    WaitExit(pid_, std::chrono::seconds(5));
    code = -1;
  }
  pid_ = -1;
  return code;
}

void Service::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  WaitExit(pid_, std::chrono::seconds(5));
  pid_ = -1;
}

std::string Service::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string Service::Stderr() const {
  return ReadFile(stderr_path_);
}

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<HttpResponse*>(user);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) r->headers.clear();
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    r->headers[name] = value;
  }
  return size * n;
}

}  // namespace

HttpResponse HttpGet(const std::string& url, const std::vector<std::string>& headers,
                     const std::string& method, bool path_as_is) {
  HttpResponse r;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (path_as_is) curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    r.ok = true;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return r;
}

std::string RawExchange(uint16_t port, const std::string& raw, std::chrono::milliseconds timeout) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return {};
  }
  size_t off = 0;
  while (off < raw.size()) {
    ssize_t n = send(fd, raw.data() + off, raw.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  std::string out;
  auto deadline = Clock::now() + timeout;
  char buf[65536];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
    if (poll(&p, 1, std::max(left, 1)) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (CompleteResponse(out) != 0) break;
  }
  close(fd);
  return out;
}

size_t CompleteResponse(const std::string& data, bool head) {
  size_t end = data.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  std::string headers = data.substr(0, end);
  for (char& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t length = 0;
  size_t cl = headers.find("\r\ncontent-length:");
  if (!head && cl != std::string::npos) length = std::stoul(headers.substr(cl + 17));
  if (data.size() < end + 4 + length) return 0;
  return end + 4 + length;
}

KeptConnection::KeptConnection(uint16_t port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

KeptConnection::~KeptConnection() {
  if (fd_ >= 0) close(fd_);
}

std::string KeptConnection::Exchange(const std::string& raw, bool head,
                                     std::chrono::milliseconds timeout) {
  if (fd_ < 0) return {};
  if (send(fd_, raw.data(), raw.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(raw.size()))
    return {};
  std::string out;
  auto deadline = Clock::now() + timeout;
  char buf[65536];
  while (Clock::now() < deadline && CompleteResponse(out, head) == 0) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds deadline) {
  auto end = Clock::now() + deadline;
  for (;;) {
    if (pred()) return true;
    if (Clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
}

std::string IsoTime(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

namespace {

std::string ReplaceOnce(std::string s, const std::string& from, const std::string& to) {
  auto p = s.find(from);
  if (p == std::string::npos) throw std::runtime_error("nginx site: no '" + from + "'");
  s.replace(p, from.size(), to);
  return s;
}

}  // namespace

void LetNginxRead(const fs::path& dir) {
  const auto perms = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                     fs::perms::others_read | fs::perms::others_exec;
  fs::permissions(dir.parent_path(), perms);
  fs::permissions(dir, perms);
}

NginxFront::NginxFront(const fs::path& work_dir, const fs::path& export_dir, uint16_t service_port,
                       const std::string& default_form)
    : prefix_(work_dir / "nginx") {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 64) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("nginx front: cannot bind a loopback socket");
  }
  port_ = ntohs(addr.sin_port);
  std::string site = ReadFile(SourceDir() / "deploy/nginx/medmij-registry.conf");
  site = ReplaceOnce(site, "listen 80;", "listen 127.0.0.1:" + std::to_string(port_) + ";");
  site = ReplaceOnce(site, "root /var/www/medmij-lists;", "root " + export_dir.string() + ";");
  site = ReplaceOnce(site, "server 127.0.0.1:8080;",
                     "server 127.0.0.1:" + std::to_string(service_port) + ";");
  site = ReplaceOnce(site, "    default strict;\n", "    default " + default_form + ";\n");
  fs::create_directories(prefix_ / "logs");
  WriteFile(prefix_ / "site.conf", site);
  const std::string p = prefix_.string();
  std::string conf = "worker_processes 1;\npid " + p + "/nginx.pid;\nerror_log " + p +
                     "/logs/error.log;\nevents { worker_connections 64; }\nhttp {\n";
  conf += "  access_log off;\n";
  for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    conf += "  " + std::string(temp) + "_temp_path " + p + "/" + temp + ";\n";
  }
  conf += "  include " + p + "/site.conf;\n}\n";
  WriteFile(prefix_ / "nginx.conf", conf);
}

bool NginxFront::Start() {
  const std::string p = prefix_.string();
  const std::string conf = p + "/nginx.conf";
  const std::string inherited = std::to_string(listen_fd_) + ";";
  pid_ = fork();
  if (pid_ == 0) {
    fcntl(listen_fd_, F_SETFD, 0);  // the one descriptor nginx inherits
    setenv("NGINX", inherited.c_str(), 1);
    execlp("nginx", "nginx", "-p", p.c_str(), "-c", conf.c_str(), "-g", "daemon off;",
           static_cast<char*>(nullptr));
    _exit(127);
  }
  // The socket already listens: this request waits in its backlog until nginx accepts it.
  return pid_ > 0 && HttpGet(Url("/healthz")).ok;
}

NginxFront::~NginxFront() {
  if (listen_fd_ >= 0) close(listen_fd_);
  if (pid_ <= 0) return;
  kill(pid_, SIGQUIT);
  int status = 0;
  waitpid(pid_, &status, 0);
}

std::string NginxFront::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string NginxFront::ErrorLog() const {
  return ReadFile(prefix_ / "logs/error.log");
}

std::string ApiMajor(const std::string& list_path) {
  return std::string(SpecOfPath(list_path).api_major);
}

std::string WithoutSignatureElement(const std::string& signed_xml) {
  const size_t start = signed_xml.find("<ds:Signature");
  const std::string end_tag = "</ds:Signature>";
  const size_t end = signed_xml.find(end_tag);
  if (start == std::string::npos || end == std::string::npos) return signed_xml;
  return signed_xml.substr(0, start) + signed_xml.substr(end + end_tag.size());
}

std::string XmllintReference(const fs::path& work_dir, const std::string& list_path,
                             const std::string& xml) {
  const ListSpec& spec = SpecOfPath(list_path);
  const fs::path xsd = fs::path(MEDMIJ_SCHEMA_DIR) / std::string(spec.strict_xsd);
  const fs::path file = work_dir / ("consumer-" + std::string(spec.file_name));
  WriteFile(file, xml);
  CommandResult v =
      RunCommand({"xmllint", "--noout", "--nonet", "--schema", xsd.string(), file.string()});
  return v.exit_code == 0 ? "" : v.err + " (exit " + std::to_string(v.exit_code) + ")";
}

std::string XmlsecVerify(const fs::path& work_dir, const Pki& pki, const std::string& xml) {
  const fs::path file = work_dir / "signed-check.xml";
  WriteFile(file, xml);
  CommandResult v =
      RunCommand({"xmlsec1", "--verify", "--enabled-key-data", "x509", "--trusted-pem",
                  pki.ca.string(), "--untrusted-pem", pki.chain.string(), file.string()});
  return v.exit_code == 0 ? "" : v.err + " (exit " + std::to_string(v.exit_code) + ")";
}

std::string Tijdstempel(const std::string& xml) {
  auto start = xml.find("<Tijdstempel>");
  if (start == std::string::npos) return "";
  start += 13;
  auto end = xml.find('<', start);
  return end == std::string::npos ? "" : xml.substr(start, end - start);
}

std::string StrictTijdstempelError(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return "'" + text + "' does not match %Y-%m-%dT%H:%M:%S";
  std::string zone(rest);
  static const std::regex kZone("Z|[+-][0-9]{2}:?[0-9]{2}");
  if (!std::regex_match(zone, kZone)) {
    return "'" + text + "': after the seconds comes '" + zone + "', not a zone";
  }
  return "";
}

uint64_t Volgnummer(const std::string& xml) {
  auto start = xml.find("Volgnummer>");
  if (start == std::string::npos) return 0;
  start += 11;
  auto end = xml.find('<', start);
  if (end == std::string::npos) return 0;
  try {
    return std::stoull(xml.substr(start, end - start));
  } catch (...) {
    return 0;
  }
}

}  // namespace medmij::testing
