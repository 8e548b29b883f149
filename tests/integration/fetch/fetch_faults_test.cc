// medmij-fetch is never worse than before: after a good first fetch from the real service and
// nginx, every fault (an older archived version, the same Volgnummer with other content, a
// tampered body, a body cut off mid-way, a server that is down, HTTP 500, a server slower than
// the read timeout, a body over --max-size, DIR on a full tmpfs) leaves DIR exactly as it was,
// says on one stderr line which list, which URL and why, and exits 1 (the list is still fresh).
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "tests/integration/fetch/fetch_fixture.h"

namespace medmij::testing {
namespace {

const std::string kWhitelistPath = "/signed/MedMij_Whitelist.xml";

// A stub that serves `reply` at the Whitelist's signed URL and 404 elsewhere.
StubServer::Handler Serve(StubReply reply) {
  return [reply](const StubRequest& req) {
    if (req.target != kWhitelistPath) return StubReply{404, {}, "not here\n"};
    return reply;
  };
}

class FetchFaultTest : public FetchTest {
 protected:
  // A good first fetch of the Whitelist; remembers DIR and the state.
  void FetchGood() {
    RunResult r = Fetch({"--lists", "whitelist"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    before_ = Snapshot(out_);
    ASSERT_EQ(before_.count("signed/MedMij_Whitelist.xml"), 1u);
    state_before_ = State();
  }

  // A run against `stub` that must fail for `reason`: exit 1, one error line naming the list,
  // the URL and the reason, DIR and the installed version untouched, the failure counted.
  json ExpectRefused(const StubServer& stub, const std::string& reason,
                     const std::string& message_part, std::vector<std::string> args = {}) {
    args.insert(args.end(), {"--lists", "whitelist", "--deadline", "3s"});
    RunResult r = Fetch(args, stub.Url());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const std::string prefix =
        "medmij-fetch: whitelist: " + stub.Url() + kWhitelistPath + ": " + reason + ": ";
    EXPECT_EQ(r.err.rfind(prefix, 0), 0u) << r.err;
    EXPECT_NE(r.err.find(message_part), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    const json e = Entry(Doc(r), ListKind::kWhitelist);
    EXPECT_EQ(e["outcome"], "failed");
    EXPECT_EQ(e["error"]["reason"], reason);
    EXPECT_EQ(e["stale"], false);
    EXPECT_EQ(Snapshot(out_), before_);
    const json now = State()["lists"]["whitelist"];
    const json was = state_before_["lists"]["whitelist"];
    for (const char* field : {"volgnummer", "signed_content_sha256", "tijdstempel", "etag",
                              "last_confirmed", "last_change"}) {
      EXPECT_EQ(now[field], was[field]) << field;
    }
    EXPECT_EQ(now["failures"][reason], 1) << now.dump();
    EXPECT_NE(Metrics().find("medmij_fetch_failures_total{list=\"whitelist\",reason=\"" + reason +
                             "\"} 1\n"),
              std::string::npos)
        << Metrics();
    return e;
  }

  std::map<std::string, FileFacts> before_;
  json state_before_;
};

TEST_F(FetchFaultTest, RollbackToAnOlderArchivedVersionIsRefused) {
  ChangeWhitelist("rollback-test.deenigeechtepgo.nl");
  ASSERT_NO_FATAL_FAILURE(FetchGood());
  const uint64_t installed = state_before_["lists"]["whitelist"]["volgnummer"];
  ASSERT_GE(installed, 2u);
  // The archive keeps every version, signed and valid: an attacker (or a stale mirror) can
  // serve one.
  HttpResponse old =
      HttpGet(service_->Url("/lists/whitelist/versions/" + std::to_string(installed - 1) + ".xml"));
  ASSERT_EQ(old.status, 200);
  ASSERT_EQ(XmlsecVerify(dir_.path(), pki_, old.body), "");
  StubServer stub(Serve(StubReply{200, {{"ETag", "\"old\""}}, old.body}));
  ExpectRefused(stub, "rollback",
                "rollback: Volgnummer " + std::to_string(installed - 1) +
                    " is lower than the last accepted " + std::to_string(installed));
  EXPECT_EQ(stub.Requests().size(), 1u);  // a refused list is not retried
}

TEST_F(FetchFaultTest, TheSameVolgnummerWithOtherContentIsRefused) {
  ASSERT_NO_FATAL_FAILURE(FetchGood());
  const uint64_t installed = state_before_["lists"]["whitelist"]["volgnummer"];
  // Another registry under the same CA, with other content, publishes the same Volgnummer.
  const fs::path other = dir_ / "other-data";
  InitDemoRegistry(other);
  Admin(other, {"node", "add", "deenigeechtepgo", "freeze-test.deenigeechtepgo.nl"});
  Admin(other, {"publish", "--key", pki_.key.string(), "--cert", pki_.cert.string(), "--chain",
                pki_.chain.string()});
  const std::string forged = Admin(other, {"lists", "get", "whitelist"}).out;
  ASSERT_EQ(Volgnummer(forged), installed);
  ASSERT_EQ(XmlsecVerify(dir_.path(), pki_, forged), "");
  ASSERT_NE(forged, ServedSigned(ListKind::kWhitelist));
  StubServer stub(Serve(StubReply{200, {}, forged}));
  ExpectRefused(stub, "freeze",
                "substitution: Volgnummer " + std::to_string(installed) +
                    " was accepted before with other signed content");
}

TEST_F(FetchFaultTest, ATamperedBodyIsRefused) {
  ASSERT_NO_FATAL_FAILURE(FetchGood());
  std::string body = ServedSigned(ListKind::kWhitelist);
  const size_t at = body.find("medmij.deenigeechtepgo.nl");
  ASSERT_NE(at, std::string::npos);
  body[at] = 'n';  // one byte of one hostname
  StubServer stub(Serve(StubReply{200, {}, body}));
  ExpectRefused(stub, "invalid", "");
  EXPECT_EQ(stub.Requests().size(), 1u);
}

TEST_F(FetchFaultTest, ATruncatedBodyIsRefused) {
  ASSERT_NO_FATAL_FAILURE(FetchGood());
  StubReply reply{200, {}, ServedSigned(ListKind::kWhitelist)};
  reply.mode = StubReply::Mode::kTruncate;
  reply.truncate_at = reply.body.size() / 2;
  StubServer stub(Serve(reply));
  ExpectRefused(stub, "truncated", "truncated body");
  EXPECT_GE(stub.Requests().size(), 2u);  // retried inside the deadline
}

TEST_F(FetchFaultTest, AServerThatIsDownChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(FetchGood());
  ClosedPort down;
  RunResult r = Fetch({"--lists", "whitelist", "--deadline", "3s"}, down.Url());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.rfind("medmij-fetch: whitelist: " + down.Url() + kWhitelistPath +
                            ": connect: cannot connect",
                        0),
            0u)
      << r.err;
  EXPECT_GE(Entry(Doc(r), ListKind::kWhitelist)["attempts"].get<int>(), 2);
  EXPECT_EQ(Snapshot(out_), before_);
  EXPECT_EQ(State()["lists"]["whitelist"]["failures"]["connect"], 1);
}

// A host that does not resolve. A label over 63 bytes fails in the local resolver, before any
// query leaves the machine (the tests stay off the network).
TEST_F(FetchFaultTest, AHostThatDoesNotResolveChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(FetchGood());
  const std::string base = "https://" + std::string(70, 'a') + ".invalid";
  RunResult r = Fetch({"--lists", "whitelist", "--deadline", "3s"}, base);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(
      r.err.rfind("medmij-fetch: whitelist: " + base + kWhitelistPath + ": dns: cannot resolve", 0),
      0u)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(Entry(Doc(r), ListKind::kWhitelist)["error"]["reason"], "dns");
  EXPECT_EQ(Snapshot(out_), before_);
  EXPECT_EQ(State()["lists"]["whitelist"]["failures"]["dns"], 1);
}

// Another list, validly signed by the same registry, served at the Whitelist's URL.
TEST_F(FetchFaultTest, AnotherListAtTheWhitelistsUrlIsRefused) {
  ASSERT_NO_FATAL_FAILURE(FetchGood());
  StubServer stub(Serve(StubReply{200, {}, ServedSigned(ListKind::kOAuthClientList)}));
  ExpectRefused(stub, "invalid", "not the expected");
  EXPECT_EQ(stub.Requests().size(), 1u);
}

TEST_F(FetchFaultTest, Http500IsRetriedThenRefused) {
  ASSERT_NO_FATAL_FAILURE(FetchGood());
  StubServer stub(Serve(StubReply{500, {}, "oops\n"}));
  const json e = ExpectRefused(stub, "http_status", "HTTP 500");
  EXPECT_GE(stub.Requests().size(), 2u);
  EXPECT_EQ(e["attempts"].get<size_t>(), stub.Requests().size());
  // The ETag goes only back to the URL that issued it.
  for (const StubRequest& req : stub.Requests()) EXPECT_EQ(req.headers.count("if-none-match"), 0u);
}

TEST_F(FetchFaultTest, AServerSlowerThanTheReadTimeoutIsGivenUp) {
  ASSERT_NO_FATAL_FAILURE(FetchGood());
  StubReply reply{200, {}, ServedSigned(ListKind::kWhitelist)};
  reply.mode = StubReply::Mode::kStall;
  reply.truncate_at = 200;  // the status line and some headers, then nothing
  StubServer stub(Serve(reply));
  ExpectRefused(stub, "timeout", "read timeout: no data for 1s", {"--read-timeout", "1s"});
}

TEST_F(FetchFaultTest, ABodyOverMaxSizeIsRefusedWithoutRetry) {
  ASSERT_NO_FATAL_FAILURE(FetchGood());
  StubServer stub(Serve(StubReply{200, {}, ServedSigned(ListKind::kWhitelist)}));
  ExpectRefused(stub, "too_large", "larger than --max-size 1024 bytes", {"--max-size", "1KiB"});
  EXPECT_EQ(stub.Requests().size(), 1u);
}

// DIR on a small tmpfs that is full: the new version does not fit, and DIR stays as it was
// (no half-written file, no temp file, the old version in place); once there is room the next
// run installs it.
TEST_F(FetchFaultTest, AFullDiskInDirLeavesItAsItWas) {
  // A private mount namespace for this test process (and the medmij-fetch it starts), so the
  // tmpfs is nobody else's and disappears with the test.
  ASSERT_EQ(geteuid(), 0u) << "mounting a tmpfs needs root, as the package test does";
  ASSERT_EQ(unshare(CLONE_NEWNS), 0) << std::strerror(errno);
  ASSERT_EQ(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0) << std::strerror(errno);
  ASSERT_EQ(mount("tmpfs", out_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=512k,mode=0755"), 0)
      << std::strerror(errno);
  struct Unmount {
    fs::path p;
    ~Unmount() { umount2(p.c_str(), MNT_DETACH); }
  } unmount{out_};

  ASSERT_NO_FATAL_FAILURE(FetchGood());
  // Fill it up to the last byte.
  {
    std::ofstream filler(out_ / "filler", std::ios::binary);
    const std::string block(4096, 'x');
    while (filler.write(block.data(), block.size())) {
    }
  }
  {
    std::ofstream tail(out_ / "filler-tail", std::ios::binary);
    while (tail.put('x')) {
    }
  }
  before_ = Snapshot(out_);
  const uint64_t now = ChangeWhitelist("full-disk.deenigeechtepgo.nl");
  RunResult r = Fetch({"--lists", "whitelist", "--deadline", "3s"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.rfind("medmij-fetch: whitelist: " + nginx_->Url(kWhitelistPath) + ": io: ", 0),
            0u)
      << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_EQ(Snapshot(out_), before_);
  EXPECT_EQ(State()["lists"]["whitelist"]["volgnummer"],
            state_before_["lists"]["whitelist"]["volgnummer"]);
  EXPECT_EQ(State()["lists"]["whitelist"]["failures"]["io"], 1);

  fs::remove(out_ / "filler");
  r = Fetch({"--lists", "whitelist"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(State()["lists"]["whitelist"]["volgnummer"], now);
  EXPECT_EQ(ReadFile(out_ / "signed/MedMij_Whitelist.xml"), ServedSigned(ListKind::kWhitelist));
}

}  // namespace
}  // namespace medmij::testing
