// The auditor endpoints of medmij-registry: bearer tokens, the journal as the CLI exports it
// (hash chain recomputed here with OpenSSL), paging, verify, participant history and state at a
// time, and what they refuse.
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

using nlohmann::json;

constexpr const char* kToken = "s3cret-auditor-token-0123456789";
constexpr const char* kParticipant = "deenigeechtepgo";

std::string Bearer(const std::string& token) {
  return "Authorization: Bearer " + token;
}

fs::path WriteTokens(const fs::path& file, const std::string& text, mode_t mode) {
  WriteFile(file, text);
  chmod(file.c_str(), mode);
  return file;
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    InitDemoRegistry(data_);
    ServiceOptions& o = options_;
    o.data_dir = data_;
    o.pki = MakeDevPki(dir_.path() / "pki");
    o.auditor_tokens_file =
        WriteTokens(dir_.path() / "auditors",
                    "# auditors of the foundation\n\nalice:" + Sha256Hex(kToken) +
                        "\nbob:" + Sha256Hex("other") + "\n",
                    0600);
    service_ = std::make_unique<Service>(dir_.path(), o);
    ASSERT_TRUE(service_->Start()) << service_->Stderr();
  }
  void TearDown() override { EXPECT_EQ(service_->Stop(), 0) << service_->Stderr(); }

  HttpResponse Get(const std::string& path, const std::string& method = "GET") const {
    return HttpGet(service_->Url(path), {Bearer(kToken)}, method);
  }

  TempDir dir_;
  fs::path data_;
  ServiceOptions options_;
  std::unique_ptr<Service> service_;
};

TEST_F(AuditTest, BearerTokenRequired) {
  HttpResponse none = HttpGet(service_->Url("/audit/journal"));
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("www-authenticate").rfind("Bearer realm=\"medmij-registry\"", 0), 0u)
      << none.header("www-authenticate");
  EXPECT_EQ(none.header("cache-control"), "no-store");
  HttpResponse wrong = HttpGet(service_->Url("/audit/journal"), {Bearer("not-the-token")});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.header("www-authenticate").rfind("Bearer realm=\"medmij-registry\"", 0), 0u);
  EXPECT_EQ(HttpGet(service_->Url("/audit/journal"), {"Authorization: Basic YWxpY2U6eA=="}).status,
            401);
  // A token whose digest is a prefix-equal neighbour, or the digest itself, is no token.
  EXPECT_EQ(HttpGet(service_->Url("/audit/journal"), {Bearer(Sha256Hex(kToken))}).status, 401);
  // Unauthenticated requests learn nothing about which paths exist.
  EXPECT_EQ(HttpGet(service_->Url("/audit/nothing-here")).status, 401);
  EXPECT_EQ(HttpGet(service_->Url("/audit/journal"), {}, "POST").status, 401);

  HttpResponse ok = Get("/audit/journal");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header("content-type"), "application/x-ndjson");
  EXPECT_EQ(ok.header("cache-control"), "no-store");
  EXPECT_EQ(
      HttpGet(service_->Url("/audit/journal"), {"Authorization: bearer " + std::string(kToken)})
          .status,
      200);
  EXPECT_EQ(HttpGet(service_->Url("/audit/journal"), {Bearer("other")}).status, 200);  // bob

  HttpResponse metrics = HttpGet(service_->Url("/metrics"));
  EXPECT_NE(metrics.body.find("\nmedmij_auditor_auth_failures_total 6\n"), std::string::npos)
      << metrics.body;
  // Tokens never reach the log.
  EXPECT_EQ(service_->Stderr().find(kToken), std::string::npos);
  EXPECT_EQ(service_->Stderr().find("not-the-token"), std::string::npos);
}

TEST_F(AuditTest, JournalIsTheStoredHashChainPagedLikeTheCliExport) {
  HttpResponse all = Get("/audit/journal?limit=10000");
  ASSERT_EQ(all.status, 200) << all.body;
  std::vector<std::string> lines = Lines(all.body);
  ASSERT_GE(lines.size(), 10u);
  EXPECT_EQ(all.header("x-journal-length"), std::to_string(lines.size()));
  EXPECT_EQ(all.header("link"), "");
  std::string prev(64, '0');
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(i);
    json e = json::parse(lines[i]);
    EXPECT_EQ(e["seq"].get<uint64_t>(), i + 1);
    EXPECT_EQ(e["prev_hash"].get<std::string>(), prev);
    EXPECT_FALSE(e.contains("hash"));
    prev = Sha256Hex(prev + lines[i]);  // the hash covers the served line byte for byte
  }
  // Byte-equal to what `medmij-admin journal export` writes (which may hold later events).
  CommandResult exported = Admin(data_, {"journal", "export"});
  EXPECT_EQ(exported.out.substr(0, all.body.size()), all.body);

  // Paging: from/limit, a Link to the next page, pages that add up to the whole.
  HttpResponse page = Get("/audit/journal?from=2&limit=3");
  ASSERT_EQ(page.status, 200);
  std::vector<std::string> got = Lines(page.body);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], lines[1]);
  EXPECT_EQ(got[2], lines[3]);
  EXPECT_EQ(page.header("link"), "</audit/journal?from=5&limit=3>; rel=\"next\"");
  std::string joined;
  std::string next = "/audit/journal?from=1&limit=4";
  for (int guard = 0; !next.empty() && guard < 1000; ++guard) {
    HttpResponse p = Get(next);
    ASSERT_EQ(p.status, 200);
    joined += p.body;
    std::string link = p.header("link");
    next = link.empty() ? "" : link.substr(1, link.find('>') - 1);
  }
  EXPECT_EQ(joined.substr(0, all.body.size()), all.body);
  HttpResponse past = Get("/audit/journal?from=999999");
  EXPECT_EQ(past.status, 200);
  EXPECT_TRUE(past.body.empty());

  // HEAD: the headers without the body.
  HttpResponse head = Get("/audit/journal?limit=2", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_FALSE(head.header("x-journal-length").empty());

  HttpResponse verify = Get("/audit/journal/verify");
  ASSERT_EQ(verify.status, 200);
  json v = json::parse(verify.body);
  EXPECT_EQ(v["ok"], true);
  EXPECT_GE(v["events"].get<uint64_t>(), lines.size());
}

TEST_F(AuditTest, HistoryAndStateAtATimeMatchTheCli) {
  // The suspension runs on an injected clock an hour from now, and the service that publishes
  // it two hours from now (a service on the wall clock would journal its publication before the
  // suspension's instant, which reads as a clock stepped back): `before` and `after` lie apart
  // from both without waiting.
  const auto now = std::chrono::system_clock::now();
  const std::string before = IsoTime(now);
  ASSERT_EQ(service_->Stop(), 0) << service_->Stderr();
  Admin(data_, {"participant", "suspend", kParticipant, "--reason", "audit test suspension"}, false,
        "alice", IsoTime(now + std::chrono::hours(1)));
  ServiceOptions later = options_;
  later.test_now = IsoTime(now + std::chrono::hours(2));
  service_ = std::make_unique<Service>(dir_.path(), later);
  ASSERT_TRUE(service_->Start()) << service_->Stderr();
  const std::string after = IsoTime(now + std::chrono::hours(3));

  HttpResponse history = Get(std::string("/audit/participants/") + kParticipant + "/history");
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_EQ(history.header("content-type"), "application/json");
  json h = json::parse(history.body);
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(h.back()["command"], "participant suspend");
  EXPECT_EQ(h.back()["reason"], "audit test suspension");
  EXPECT_EQ(h.back()["operator"], "alice");
  json cli = json::parse(Admin(data_, {"--json", "participant", "history", kParticipant}).out);
  EXPECT_EQ(h, cli);

  for (const auto& [at, status, good] :
       {std::tuple{before, "active", true}, std::tuple{after, "suspended", false}}) {
    SCOPED_TRACE(at);
    HttpResponse r = Get(std::string("/audit/participants/") + kParticipant + "?at=" + at);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("cache-control"), "no-store");
    json doc = json::parse(r.body);
    EXPECT_EQ(doc["status"], status);
    EXPECT_EQ(doc["good_standing"], good);
    EXPECT_EQ(doc["state"]["id"], kParticipant);
    json cli_at = json::parse(
        Admin(data_, {"--json", "participant", "history", kParticipant, "--at", at}).out);
    EXPECT_EQ(doc, cli_at);
    bool on_any = false;
    for (const auto& l : doc["lists"]) on_any = on_any || l["on"].get<bool>();
    EXPECT_EQ(on_any, good);
  }
  // Before the registry existed the participant did not.
  EXPECT_EQ(Get(std::string("/audit/participants/") + kParticipant + "?at=2000-01-01").status, 404);
  EXPECT_EQ(Get("/audit/participants/no-such-one/history").status, 404);
}

TEST_F(AuditTest, BadParametersAndMethods) {
  const std::pair<std::string, std::string> bad[] = {
      {"/audit/journal?from=0", "'from'"},
      {"/audit/journal?from=abc", "'from'"},
      {"/audit/journal?from=-1", "'from'"},
      {"/audit/journal?limit=0", "'limit'"},
      {"/audit/journal?limit=10001", "'limit'"},
      {"/audit/journal?limit=", "'limit'"},
      {"/audit/journal?bogus=1", "'bogus'"},
      {"/audit/journal/verify?x=1", "'x'"},
      {std::string("/audit/participants/") + kParticipant, "'at'"},
      {std::string("/audit/participants/") + kParticipant + "?at=yesterday", "at"},
      {std::string("/audit/participants/") + kParticipant + "?at=2026-11-22T10:00:00", "at"},
      {std::string("/audit/participants/") + kParticipant + "/history?at=2026-01-01", "'at'"},
      {"/audit/participants/X!/history", "participant id"},
  };
  for (const auto& [path, fragment] : bad) {
    SCOPED_TRACE(path);
    HttpResponse r = Get(path);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find(fragment), std::string::npos) << r.body;
  }
  for (std::string method : {"POST", "PUT", "DELETE"}) {
    HttpResponse r = HttpGet(service_->Url("/audit/journal"), {Bearer(kToken)}, method);
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.header("allow"), "GET, HEAD");
  }
  EXPECT_EQ(Get("/audit/journal/other").status, 404);
  EXPECT_EQ(Get("/audit").status, 404);
}

TEST(AuditConfig, WithoutAuditorsTheEndpointsAreAbsent) {
  TempDir dir;
  fs::path data = dir.path() / "data";
  Admin(data, {"init"});
  ServiceOptions o;
  o.data_dir = data;
  o.pki = MakeDevPki(dir.path() / "pki");
  Service service(dir.path(), o);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  for (const char* path :
       {"/audit/journal", "/audit/journal/verify", "/audit/participants/abc/history"}) {
    EXPECT_EQ(HttpGet(service.Url(path), {Bearer(kToken)}).status, 404) << path;
    EXPECT_EQ(HttpGet(service.Url(path)).status, 404) << path;
  }
  EXPECT_EQ(service.Stop(), 0);
}

TEST(AuditConfig, UnsafeOrMalformedTokensFilesRefusedAtStartUp) {
  TempDir dir;
  fs::path data = dir.path() / "data";
  Admin(data, {"init"});
  ServiceOptions o;
  o.data_dir = data;
  o.pki = MakeDevPki(dir.path() / "pki");
  const std::string good = "alice:" + Sha256Hex(kToken) + "\n";
  auto expect_refused = [&](const std::string& text, mode_t mode, const std::string& fragment) {
    o.auditor_tokens_file = WriteTokens(dir.path() / "auditors", text, mode);
    fs::path config = WriteConfig(dir.path(), o, 0);
    CommandResult r = RunCommand({RegistryBinary().string(), "--config", config.string()},
                                 std::chrono::seconds(20));
    EXPECT_EQ(r.exit_code, 2) << text << r.err;
    EXPECT_NE(r.err.find("[auditors] tokens_file"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    fs::remove(dir.path() / "auditors");
  };
  expect_refused(good, 0644, "mode 0644");
  expect_refused(good, 0606, "mode 0606");
  expect_refused(good, 0660, "mode 0660");
  expect_refused("# ok\n" + good + "bob " + Sha256Hex("x") + "\n", 0600, "line 3");
  expect_refused(good + "carol:abc\n", 0600, "line 2");
  expect_refused(good + "alice:" + Sha256Hex("y") + "\n", 0600, "duplicate auditor name 'alice'");
  expect_refused("# nobody\n", 0600, "no auditor entries");
  // A missing file.
  o.auditor_tokens_file = dir.path() / "missing";
  fs::path config = WriteConfig(dir.path(), o, 0);
  CommandResult r = RunCommand({RegistryBinary().string(), "--config", config.string()},
                               std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
  // The secret itself never appears in a message about the file.
  EXPECT_EQ(r.err.find(kToken), std::string::npos);
}

}  // namespace
}  // namespace medmij::testing
