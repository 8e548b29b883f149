// medmij-registry under faults: bad configuration, SIGTERM with requests in flight, restarts,
// kill -9 during publication while the CLI writes, and a signing certificate that expires.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/service/harness.h"
#include "tests/unit/store/test_util.h"

namespace medmij::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ServiceConfig, BadConfigurationIsOneLineAndExit2) {
  TempDir dir;
  fs::path data = dir.path() / "data";
  Admin(data, {"init"});
  Pki pki = MakeDevPki(dir.path() / "pki");
  ServiceOptions o;
  o.data_dir = data;
  o.pki = pki;
  fs::path good = WriteConfig(dir.path(), o, 0);
  std::string text = ReadFile(good);

  auto expect_fail = [&](const std::string& config_text, const std::string& fragment) {
    fs::path file = dir.path() / "bad.toml";
    WriteFile(file, config_text);
    CommandResult r =
        RunCommand({RegistryBinary().string(), "--config", file.string()}, seconds(20));
    EXPECT_EQ(r.exit_code, 2) << config_text << "\n" << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  };
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    auto p = s.find(from);
    EXPECT_NE(p, std::string::npos) << from;
    if (p != std::string::npos) s.replace(p, from.size(), to);
    return s;
  };
  expect_fail("[server\nlisten=", "bad.toml:1");
  expect_fail(replace(text, "threads = 2", "threads = -3"), "[server] threads");
  expect_fail(replace(text, "[publish]", "[publish]\nbogus = 1"), "[publish] bogus: unknown key");
  expect_fail(replace(text, pki.key.string(), (dir.path() / "missing.key").string()),
              "[signing] key: cannot read");
  expect_fail(replace(text, data.string(), (dir.path() / "nodata").string()), "[storage] data_dir");
  // A key that does not belong to the certificate.
  fs::path other_key = dir.path() / "other.key";
  ASSERT_EQ(RunCommand({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-out", other_key.string()})
                .exit_code,
            0);
  expect_fail(replace(text, pki.key.string(), other_key.string()), "[signing]");
  // A certificate outside the list-signing profile: the intermediate CA's own key.
  expect_fail(replace(replace(text, pki.key.string(), (pki.dir / "intermediate.key").string()),
                      pki.cert.string(), (pki.dir / "intermediate.pem").string()),
              "is a CA certificate (basicConstraints CA:TRUE)");
  // An unreadable key file (mode 000; meaningless for root, which reads anything).
  if (geteuid() != 0) {
    fs::path locked = dir.path() / "locked.key";
    fs::copy_file(pki.key, locked);
    chmod(locked.c_str(), 0);
    expect_fail(replace(text, pki.key.string(), locked.string()), "[signing] key: cannot read");
  }
  CommandResult missing = RunCommand({RegistryBinary().string(), "--config", "/nonexistent.toml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
  CommandResult no_args = RunCommand({RegistryBinary().string()});
  EXPECT_EQ(no_args.exit_code, 2);
}

// --port-file that cannot be written, and a MEDMIJ_TEST_NOW that is no instant: one line, the
// service does not start (a started service's port file is what every other test connects by).
TEST(ServiceConfig, PortFileAndTestClockAreCheckedAtStartUp) {
  TempDir dir;
  fs::path data = dir.path() / "data";
  Admin(data, {"init"});
  ServiceOptions o;
  o.data_dir = data;
  o.pki = MakeDevPki(dir.path() / "pki");
  // The root as anchor: without it the service also says, on its own line, that background
  // verification is off (SelfCheckTest), and the one line checked here is the port file's.
  o.trust_anchor = o.pki.ca;
  const std::string config = WriteConfig(dir.path(), o, 0).string();
  CommandResult r = RunCommand({RegistryBinary().string(), "--config", config, "--port-file",
                                (dir.path() / "no-such-dir" / "port").string()},
                               seconds(20));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("--port-file"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  for (const char* bad : {"2026-11-22", "tomorrow"}) {
    RunResult t = RunProcess({RegistryBinary().string(), "--config", config}, "",
                             {{"MEDMIJ_TEST_NOW", bad}}, 20);
    EXPECT_EQ(t.exit_code, 2) << bad << "\n" << t.err;
    EXPECT_NE(t.err.find("MEDMIJ_TEST_NOW"), std::string::npos) << t.err;
    EXPECT_EQ(std::count(t.err.begin(), t.err.end(), '\n'), 1) << t.err;
  }
}

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    InitDemoRegistry(data_);
    options_.data_dir = data_;
    options_.pki = MakeDevPki(dir_.path() / "pki");
  }
  TempDir dir_;
  fs::path data_;
  ServiceOptions options_;
};

std::map<std::string, std::string> Etags(const Service& s) {
  std::map<std::string, std::string> out;
  for (std::string l :
       {"/MedMij_Whitelist.xml", "/MedMij_OAuthclientlist.xml", "/MedMij_Zorgaanbiederslijst.xml",
        "/MedMij_Gegevensdienstnamenlijst.xml"}) {
    HttpResponse r = HttpGet(s.Url(l));
    out[l] = std::to_string(r.status) + " " + r.header("etag") + " " +
             std::to_string(Volgnummer(r.body)) + " " + r.header("last-modified");
  }
  return out;
}

// Issue 8 item 2: a state record that does not decode (corrupted on disk, here on a copy made
// with the stock mdb_dump/mdb_load) does not stop the service: it starts, serves the last good
// versions, /healthz is 503 naming the record and /metrics names it; the CLI's read commands
// that do not need it still work and `check` reports it.
TEST_F(FaultTest, ACorruptStateRecordKeepsTheLastGoodListsServedAndIsNamed) {
  std::map<std::string, std::string> good;
  {
    Service s(dir_.path(), options_);
    ASSERT_TRUE(s.Start()) << s.Stderr();
    ASSERT_TRUE(WaitFor([&] { return HttpGet(s.Url("/healthz")).status == 200; }));
    good = Etags(s);
    EXPECT_EQ(s.Stop(), 0) << s.Stderr();
  }
  auto dump = store::testing::DumpAll(data_ / "data.mdb", dir_.path());
  bool found = false;
  for (auto& [key, value] : store::testing::Section(dump, "participants").records) {
    if (key == "xisbridge") {
      value = R"({"id":"xisbridge","name":7})";
      found = true;
    }
  }
  ASSERT_TRUE(found);
  const fs::path copy = dir_.path() / "corrupt";
  fs::create_directories(copy);
  store::testing::LoadAll(dump, copy / "data.mdb", dir_.path());
  fs::remove(copy / "data.mdb-lock");

  ServiceOptions o = options_;
  o.data_dir = copy;
  Service s(dir_.path(), o);
  ASSERT_TRUE(s.Start()) << s.Stderr();
  EXPECT_EQ(Etags(s), good);
  ASSERT_TRUE(WaitFor([&] { return HttpGet(s.Url("/healthz")).status == 503; })) << s.Stderr();
  HttpResponse health = HttpGet(s.Url("/healthz"));
  {
    const auto body = nlohmann::json::parse(health.body);
    ASSERT_TRUE(body.contains("store")) << health.body;
    EXPECT_EQ(body["store"]["status"], "corrupt") << health.body;
    EXPECT_EQ(body["store"]["corrupt_records"].size(), 1u) << health.body;
    EXPECT_EQ(body["store"]["corrupt_records"][0]["table"], "participants") << health.body;
    EXPECT_EQ(body["store"]["corrupt_records"][0]["key"], "xisbridge") << health.body;
  }
  EXPECT_EQ(Etags(s), good);  // still the last good versions
  HttpResponse metrics = HttpGet(s.Url("/metrics"));
  EXPECT_NE(
      metrics.body.find("medmij_store_corrupt_record{table=\"participants\",key=\"xisbridge\"} 1"),
      std::string::npos)
      << metrics.body;
  EXPECT_EQ(s.Stop(), 0) << s.Stderr();

  CommandResult list = Admin(copy, {"participant", "list"}, /*allow_failure=*/true);
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.err.find("xisbridge"), std::string::npos) << list.err;
  EXPECT_FALSE(list.out.empty());
  CommandResult verify = Admin(copy, {"journal", "verify"}, true);
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  CommandResult check = Admin(copy, {"check"}, true);
  EXPECT_NE(check.exit_code, 0);
  EXPECT_NE((check.out + check.err).find("participants/xisbridge"), std::string::npos)
      << check.out << check.err;
}

TEST_F(FaultTest, RestartServesTheSameVersionsAndContinuesVolgnummer) {
  std::map<std::string, std::string> first;
  {
    Service s(dir_.path(), options_);
    ASSERT_TRUE(s.Start()) << s.Stderr();
    ASSERT_TRUE(WaitFor([&] { return HttpGet(s.Url("/healthz")).status == 200; }));
    first = Etags(s);
    EXPECT_EQ(s.Stop(), 0) << s.Stderr();
  }
  Service s(dir_.path(), options_);
  ASSERT_TRUE(s.Start()) << s.Stderr();
  // Served from the archive at once, and unchanged by the new publication run.
  EXPECT_EQ(Etags(s), first);
  ASSERT_TRUE(WaitFor([&] { return HttpGet(s.Url("/healthz")).status == 200; }));
  EXPECT_EQ(Etags(s), first);
  uint64_t before = Volgnummer(HttpGet(s.Url("/MedMij_Whitelist.xml")).body);
  Admin(data_, {"node", "add", "xisbridge", "after-restart.xisbridge.net"});
  EXPECT_TRUE(WaitFor(
      [&] { return Volgnummer(HttpGet(s.Url("/MedMij_Whitelist.xml")).body) == before + 1; }));
  EXPECT_EQ(s.Stop(), 0);
}

TEST(ServiceShutdown, AbortedDownloadsLeakNothingAndSigtermFinishesResponsesInFlight) {
  // A ZAL of about 15 MB (sent with sendfile), requested by slow readers with small receive
  // buffers: at SIGTERM most of each response is still queued in the service.
  TempDir dir;
  fs::path data = dir.path() / "data";
  CommandResult gen =
      RunCommand({(fs::path(MEDMIJ_BINARY_DIR) / "tests/bench/medmij-gen-registry").string(),
                  "--data-dir", data.string(), "--providers", "10000"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  ServiceOptions o;
  o.data_dir = data;
  o.pki = MakeDevPki(dir.path() / "pki");
  Service s(dir.path(), o);
  ASSERT_TRUE(s.Start()) << s.Stderr();
  HttpResponse full;
  ASSERT_TRUE(WaitFor(
      [&] {
        full = HttpGet(s.Url("/MedMij_Zorgaanbiederslijst.xml"));
        return full.status == 200;
      },
      seconds(20)))
      << s.Stderr();
  ASSERT_GT(full.body.size(), 2u << 20);
  ASSERT_EQ(full.header("etag"), Cat("\"", Sha256Hex(full.body), "\""));

  // Aborted downloads (client reset mid-transfer) must not leak connections in the service. A
  // connection holds one descriptor, its socket (bodies go out from the descriptor the served
  // version already holds), so sockets are what is counted: the publisher may still be
  // spooling the other lists, each new version one more file descriptor, which is no leak.
  auto open_fds = [&] {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(s.pid()) + "/fd")) {
      std::error_code ec;  // a descriptor closed while listing is simply not counted
      if (fs::read_symlink(e.path(), ec).string().starts_with("socket:")) ++n;
    }
    return n;
  };
  const size_t baseline = open_fds();
  for (int i = 0; i < 20; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(s.port());
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    std::string req = "GET /MedMij_Zorgaanbiederslijst.xml HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    char buf[8192];
    ASSERT_GT(recv(fd, buf, sizeof buf, 0), 0);
    linger reset{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(fd);
  }
  EXPECT_TRUE(WaitFor([&] { return open_fds() <= baseline; }))
      << open_fds() << " sockets open, " << baseline << " before the aborted downloads";

  constexpr int kClients = 4;
  std::vector<int> fds;
  for (int i = 0; i < kClients; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(s.port());
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    std::string req =
        "GET /MedMij_Zorgaanbiederslijst.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ASSERT_EQ(send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    fds.push_back(fd);
  }
  // SIGTERM comes once every response is under way (its first bytes arrived, so the service
  // has each request) and most of each is still queued (the clients read nothing until the
  // service is stopping, into a 4 KiB buffer). Every one must still be answered in full.
  std::vector<std::string> got(fds.size());
  {
    std::vector<pollfd> clients;
    for (int fd : fds) clients.push_back({fd, POLLIN, 0});
    size_t begun = 0;
    while (begun < clients.size()) {
      ASSERT_GT(poll(clients.data(), clients.size(), 30000), 0)
          << begun << " of " << clients.size() << " responses began";
      for (pollfd& c : clients) {
        if (c.fd >= 0 && c.revents != 0) {
          c.fd = -1;  // poll skips it from now on
          ++begun;
        }
      }
    }
  }
  // The count above sees connections: these four are open in the service now.
  EXPECT_GE(open_fds(), baseline + kClients);
  kill(s.pid(), SIGTERM);
  ASSERT_TRUE(WaitFor([&] { return s.Stderr().find("stopping (signal") != std::string::npos; }))
      << s.Stderr();
  for (size_t i = 0; i < fds.size(); ++i) {
    std::vector<char> buf(1 << 16);
    while (CompleteResponse(got[i]) == 0) {
      ssize_t n = recv(fds[i], buf.data(), buf.size(), 0);
      if (n <= 0) break;
      got[i].append(buf.data(), static_cast<size_t>(n));
    }
    close(fds[i]);
    ASSERT_NE(CompleteResponse(got[i]), 0u) << "truncated after " << got[i].size() << " bytes";
    EXPECT_EQ(got[i].rfind("HTTP/1.1 200", 0), 0u);
    EXPECT_EQ(got[i].substr(got[i].find("\r\n\r\n") + 4), full.body);
  }
  EXPECT_EQ(s.Stop(), 0) << s.Stderr();  // already exiting: collects the status
  EXPECT_NE(s.Stderr().find("stopped"), std::string::npos);
}

TEST_F(FaultTest, Kill9DuringPublicationLosesNothing) {
  std::atomic<bool> stop{false};
  std::atomic<int> committed{0};
  // The CLI writes continuously in another process while the service is killed and restarted.
  std::thread writer([&] {
    for (int i = 0; !stop && i < 400; ++i) {
      std::string host = Cat("k", std::to_string(i), ".xisbridge.net");
      if (Admin(data_, {"node", "add", "xisbridge", host}, true).exit_code == 0) ++committed;
    }
  });
  // Joined on every way out of the test, a failed assertion included.
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& t;
    ~Joiner() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } joiner{stop, writer};
  // Killed at different points of its work, each chosen by an event, not a delay: as soon as
  // it listens (during its first publication), after its first publication, and after its
  // second and third, while the writer keeps committing (so a publication is under way).
  auto publications = [](const Service& s) {
    const std::string m = HttpGet(s.Url("/metrics")).body;
    const std::string key = "\nmedmij_publications_total ";
    const size_t at = m.find(key);
    return at == std::string::npos ? 0 : std::stoi(m.substr(at + key.size()));
  };
  for (int round = 0; round < 8; ++round) {
    Service s(dir_.path(), options_);
    ASSERT_TRUE(s.Start()) << s.Stderr();
    const int after = round % 4;
    if (after > 0) {
      ASSERT_TRUE(WaitFor([&] { return publications(s) >= after; })) << s.Stderr();
    }
    s.Kill9();
  }
  stop = true;
  writer.join();
  ASSERT_GT(committed.load(), 0);

  CommandResult verify = Admin(data_, {"journal", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  CommandResult check = Admin(data_, {"check"});
  EXPECT_EQ(check.exit_code, 0) << check.err;

  // A last clean run publishes everything committed; Volgnummers have no gaps.
  Service s(dir_.path(), options_);
  ASSERT_TRUE(s.Start()) << s.Stderr();
  std::string last = Cat("k", std::to_string(committed.load() - 1), ".xisbridge.net");
  EXPECT_TRUE(WaitFor([&] {
    return HttpGet(s.Url("/MedMij_Whitelist.xml")).body.find(last) != std::string::npos;
  }));
  for (std::string list :
       {"whitelist", "oauthclientlist", "zorgaanbiederslijst", "gegevensdienstnamenlijst"}) {
    auto idx = nlohmann::json::parse(HttpGet(s.Url("/lists/" + list + "/versions")).body);
    uint64_t expect = 1;
    for (const auto& v : idx["versions"]) {
      EXPECT_EQ(v["volgnummer"].get<uint64_t>(), expect++) << list;
      HttpResponse bytes = HttpGet(s.Url("/lists/" + list + "/versions/" +
                                         std::to_string(v["volgnummer"].get<uint64_t>()) + ".xml"));
      EXPECT_EQ(Sha256Hex(bytes.body), v["sha256"].get<std::string>());
    }
  }
  EXPECT_EQ(s.Stop(), 0);
}

// A service started after its signing certificate expired refuses to start (exit 2, one line
// naming [signing]) and changes nothing; what a running service does when the certificate
// lapses under it (serves the last good lists, reports failing) is the publish loop's unit test
// (tests/unit/service/publish_loop_test.cc), on a clock it moves.
TEST_F(FaultTest, ExpiredSigningCertificateIsRefusedAtStartUpAndChangesNothing) {
  {
    Service s(dir_.path(), options_);
    ASSERT_TRUE(s.Start()) << s.Stderr();
    ASSERT_TRUE(WaitFor([&] { return HttpGet(s.Url("/healthz")).status == 200; })) << s.Stderr();
    EXPECT_EQ(s.Stop(), 0);
  }
  const std::string journal = Admin(data_, {"journal", "export"}).out;
  const fs::path config = WriteConfig(dir_.path(), options_, 0);
  CommandResult r =
      RunProcess({RegistryBinary().string(), "--config", config.string()}, "",
                 {{"MEDMIJ_TEST_NOW", IsoTime(CertNotAfter(options_.pki.cert) + seconds(1))}}, 60);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("[signing]"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(Admin(data_, {"journal", "export"}).out, journal);
}

}  // namespace
}  // namespace medmij::testing
