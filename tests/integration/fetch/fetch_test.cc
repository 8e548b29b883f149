// medmij-fetch against the real service and deploy/'s nginx on loopback: the first fetch
// installs both forms (checked with the stock xmllint against the official XSD and xmlsec1
// against the CA), a second run is answered 304 and rewrites nothing, a change made with
// medmij-admin arrives within one run, HTTPS with --cacert, the state and metrics, staleness
// with the injected clock, and bad usage.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <regex>

#include "tests/integration/fetch/fetch_fixture.h"

namespace medmij::testing {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

std::string IsoAfter(std::chrono::seconds d) {
  return IsoTime(std::chrono::system_clock::now() + d);
}

// The value of one series in a Prometheus text, or -1 when absent.
double Series(const std::string& text, const std::string& series) {
  for (const std::string& line : Lines(text)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

TEST_F(FetchTest, FirstRunInstallsBothFormsTheStateAndTheMetrics) {
  RunResult r = Fetch();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const json doc = Doc(r);
  EXPECT_EQ(doc["exit_code"], 0);
  const json state = State();
  EXPECT_EQ(state["format"], "medmij-fetch-state");
  const std::string metrics = Metrics();
  for (ListKind list : kAllLists) {
    SCOPED_TRACE(ToString(list));
    const std::string name = FileName(list);
    const std::string signed_bytes = ReadFile(out_ / "signed" / name);
    const std::string strict_bytes = ReadFile(out_ / name);
    // Byte for byte what the registry serves in each form, and valid to the stock tools.
    EXPECT_EQ(signed_bytes, ServedSigned(list));
    EXPECT_EQ(strict_bytes, ServedStrict(list));
    EXPECT_EQ(strict_bytes, WithoutSignatureElement(signed_bytes));
    EXPECT_EQ(XmllintReference(dir_.path(), "/" + name, strict_bytes), "");
    EXPECT_EQ(XmlsecVerify(dir_.path(), pki_, signed_bytes), "");
    for (const fs::path& p : {out_ / name, out_ / "signed" / name}) {
      struct stat st {};
      ASSERT_EQ(stat(p.c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 0777, 0644u);
      // The Tijdstempel as modification time, as the registry's export dir has it.
      EXPECT_EQ(IsoTime(std::chrono::system_clock::from_time_t(st.st_mtim.tv_sec)).substr(0, 19),
                Tijdstempel(signed_bytes).substr(0, 19));
    }

    const json e = Entry(doc, list);
    EXPECT_EQ(e["outcome"], "updated");
    EXPECT_EQ(e["url"], nginx_->Url("/signed/" + name));
    EXPECT_EQ(e["volgnummer"], Volgnummer(signed_bytes));
    EXPECT_EQ(e["previous_volgnummer"], nullptr);
    EXPECT_EQ(e["stale"], false);
    EXPECT_EQ(e["error"], nullptr);

    // The state: the installed version, nginx's validator for it, the confirmation.
    const json s = state["lists"][std::string(ToString(list))];
    EXPECT_EQ(s["volgnummer"], Volgnummer(signed_bytes));
    EXPECT_EQ(s["tijdstempel"], Tijdstempel(signed_bytes));
    EXPECT_EQ(s["url"], nginx_->Url("/signed/" + name));
    EXPECT_EQ(s["etag"], HttpGet(nginx_->Url("/signed/" + name)).header("etag"));
    EXPECT_TRUE(s["last_confirmed"].is_string());
    EXPECT_EQ(s["last_change"], s["last_confirmed"]);
    EXPECT_EQ(s["signed_content_sha256"].get<std::string>().size(), 64u);

    const std::string label = "{list=\"" + std::string(ToString(list)) + "\"}";
    EXPECT_EQ(Series(metrics, "medmij_fetch_volgnummer" + label),
              static_cast<double>(Volgnummer(signed_bytes)));
    const double confirmed =
        Series(metrics, "medmij_fetch_last_confirmed_timestamp_seconds" + label);
    EXPECT_NEAR(
        confirmed,
        static_cast<double>(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())),
        600);
    EXPECT_EQ(Series(metrics, "medmij_fetch_last_change_timestamp_seconds" + label), confirmed);
    EXPECT_EQ(Series(metrics, "medmij_fetch_failures_total{list=\"" + std::string(ToString(list)) +
                                  "\",reason=\"timeout\"}"),
              0);
  }
  EXPECT_NE(metrics.find("# TYPE medmij_fetch_failures_total counter\n"), std::string::npos);
  EXPECT_NE(metrics.find("# TYPE medmij_fetch_volgnummer gauge\n"), std::string::npos);
  // Only the lists and the state: no temp files left in DIR or beside the state.
  EXPECT_EQ(Snapshot(out_).size(), 2 * std::size(kAllLists) + 1);
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  }
}

TEST_F(FetchTest, SecondRunGets304AndRewritesNothing) {
  ASSERT_EQ(Fetch().exit_code, 0);
  const auto before = Snapshot(out_);
  const json state_before = State();
  RunResult r = Fetch();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = Doc(r);
  for (ListKind list : kAllLists) {
    SCOPED_TRACE(ToString(list));
    EXPECT_EQ(Entry(doc, list)["outcome"], "not_modified");
    const json s = State()["lists"][std::string(ToString(list))];
    const json b = state_before["lists"][std::string(ToString(list))];
    EXPECT_EQ(s["volgnummer"], b["volgnummer"]);
    EXPECT_EQ(s["etag"], b["etag"]);
    EXPECT_EQ(s["last_change"], b["last_change"]);
    EXPECT_GE(s["last_confirmed"].get<std::string>(), b["last_confirmed"].get<std::string>());
    // Independently: nginx answers the recorded validator with 304.
    EXPECT_EQ(HttpGet(nginx_->Url("/signed/" + FileName(list)),
                      {"If-None-Match: " + s["etag"].get<std::string>()})
                  .status,
              304);
  }
  // Same inodes, same bytes, same mtimes and ctimes: nothing was rewritten.
  EXPECT_EQ(Snapshot(out_), before);
}

TEST_F(FetchTest, ANewVersionArrivesWithinOneRunAfterAnAdminChange) {
  ASSERT_EQ(Fetch().exit_code, 0);
  const uint64_t old = State()["lists"]["whitelist"]["volgnummer"];
  const auto before = Snapshot(out_);
  const uint64_t now = ChangeWhitelist("fetch-test.deenigeechtepgo.nl");
  ASSERT_EQ(now, old + 1);
  RunResult r = Fetch();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = Doc(r);
  const json wl = Entry(doc, ListKind::kWhitelist);
  EXPECT_EQ(wl["outcome"], "updated");
  EXPECT_EQ(wl["previous_volgnummer"], old);
  EXPECT_EQ(wl["volgnummer"], now);
  const std::string name = FileName(ListKind::kWhitelist);
  EXPECT_EQ(ReadFile(out_ / "signed" / name), ServedSigned(ListKind::kWhitelist));
  EXPECT_EQ(ReadFile(out_ / name), ServedStrict(ListKind::kWhitelist));
  EXPECT_NE(ReadFile(out_ / name).find("fetch-test.deenigeechtepgo.nl"), std::string::npos);
  EXPECT_EQ(State()["lists"]["whitelist"]["volgnummer"], now);
  // The other lists did not change, and were not rewritten.
  const auto after = Snapshot(out_);
  for (ListKind list : kAllLists) {
    if (list == ListKind::kWhitelist) continue;
    EXPECT_EQ(Entry(doc, list)["outcome"], "not_modified") << ToString(list);
    EXPECT_EQ(after.at(FileName(list)), before.at(FileName(list)));
    EXPECT_EQ(after.at("signed/" + FileName(list)), before.at("signed/" + FileName(list)));
  }
  EXPECT_NE(after.at(name).inode, before.at(name).inode);
}

TEST_F(FetchTest, MaxStaleTurnsARunIntoExit3OnceTheLastConfirmationIsOldEnough) {
  ASSERT_EQ(Fetch({"--lists", "whitelist"}).exit_code, 0);
  const std::string confirmed = State()["lists"]["whitelist"]["last_confirmed"];
  ClosedPort down;
  // Half an hour later the registry is unreachable: a failure, but the list is still fresh.
  RunResult r = Fetch({"--lists", "whitelist", "--deadline", "2s"}, down.Url(),
                      {{"MEDMIJ_TEST_NOW", IsoAfter(minutes(30))}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(Entry(Doc(r), ListKind::kWhitelist)["stale"], false);
  EXPECT_EQ(r.err.find("stale"), std::string::npos) << r.err;
  // Two hours later, past the default --max-stale of 1h: stale, act.
  r = Fetch({"--lists", "whitelist", "--deadline", "2s"}, down.Url(),
            {{"MEDMIJ_TEST_NOW", IsoAfter(hours(2))}});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(Entry(Doc(r), ListKind::kWhitelist)["stale"], true);
  EXPECT_EQ(
      r.err.rfind(
          "medmij-fetch: whitelist: " + down.Url() + "/signed/MedMij_Whitelist.xml: connect: ", 0),
      0u)
      << r.err;
  EXPECT_NE(r.err.find("; stale: last confirmed current " + confirmed), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("(--max-stale 1h)"), std::string::npos) << r.err;
  // A tighter --max-stale makes the half-hour case stale too.
  r = Fetch({"--lists", "whitelist", "--deadline", "2s", "--max-stale", "15m"}, down.Url(),
            {{"MEDMIJ_TEST_NOW", IsoAfter(minutes(30))}});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  // The last confirmation never moved: only the registry can confirm.
  EXPECT_EQ(State()["lists"]["whitelist"]["last_confirmed"], confirmed);
  // Once the registry answers again (304), the list is current at that later time.
  r = Fetch({"--lists", "whitelist"}, "", {{"MEDMIJ_TEST_NOW", IsoAfter(hours(2))}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Entry(Doc(r), ListKind::kWhitelist)["outcome"], "not_modified");
  EXPECT_GT(State()["lists"]["whitelist"]["last_confirmed"].get<std::string>(), confirmed);
}

TEST_F(FetchTest, AListNeverConfirmedIsStale) {
  ClosedPort down;
  RunResult r = Fetch({"--deadline", "2s"}, down.Url());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  for (ListKind list : kAllLists) {
    const std::string line = "medmij-fetch: " + std::string(ToString(list)) + ": " + down.Url() +
                             "/signed/" + FileName(list) + ": connect: ";
    const size_t at = r.err.find(line);
    ASSERT_NE(at, std::string::npos) << r.err;
    EXPECT_NE(r.err.substr(at, r.err.find('\n', at) - at)
                  .find("; stale: never confirmed current (--max-stale 1h)"),
              std::string::npos)
        << r.err;
  }
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'),
            static_cast<std::ptrdiff_t>(std::size(kAllLists)));
  EXPECT_TRUE(fs::is_empty(out_));
}

TEST_F(FetchTest, HttpsWithTheServersCaAndNotWithoutIt) {
  // A TLS server certificate for 127.0.0.1 from a CA of its own, and nginx serving the export
  // dir over TLS with it.
  const fs::path tls = dir_ / "tls";
  fs::create_directories(tls);
  const std::string t = tls.string();
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                 "ec_paramgen_curve:P-256", "-nodes", "-keyout", t + "/ca.key",
                                 "-out", t + "/ca.pem", "-days", "2", "-subj", "/CN=Test TLS CA"},
        {"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", t + "/server.key", "-out", t + "/server.csr", "-subj", "/CN=127.0.0.1"},
        {"bash", "-c",
         "printf 'subjectAltName=IP:127.0.0.1\\n' > " + t + "/ext && openssl x509 -req -in " + t +
             "/server.csr -CA " + t + "/ca.pem -CAkey " + t + "/ca.key -CAcreateserial -out " + t +
             "/server.pem -days 2 -extfile " + t + "/ext"}}) {
    CommandResult c = RunCommand(cmd);
    ASSERT_EQ(c.exit_code, 0) << c.err;
  }
  // The listening socket is bound here and inherited by nginx (the NGINX variable of its binary
  // upgrade), as NginxFront does: the kernel picks the port and nobody can take it in between.
  uint16_t port = 0;
  const int listen_fd = BindLoopback(&port);
  ASSERT_EQ(listen(listen_fd, 16), 0) << std::strerror(errno);
  struct CloseFd {
    int fd;
    ~CloseFd() { close(fd); }
  } close_listen{listen_fd};
  const fs::path prefix = dir_ / "nginx-tls";
  fs::create_directories(prefix / "logs");
  const std::string p = prefix.string();
  std::string conf = "worker_processes 1;\npid " + p + "/nginx.pid;\nerror_log " + p +
                     "/logs/error.log;\nevents { worker_connections 16; }\nhttp {\n"
                     "  access_log off;\n";
  for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    conf += "  " + std::string(temp) + "_temp_path " + p + "/" + temp + ";\n";
  }
  conf += "  server {\n    listen 127.0.0.1:" + std::to_string(port) + " ssl;\n" +
          "    ssl_certificate " + t + "/server.pem;\n    ssl_certificate_key " + t +
          "/server.key;\n    root " + exported_.string() + ";\n  }\n}\n";
  WriteFile(prefix / "nginx.conf", conf);
  const pid_t pid = fork();
  if (pid == 0) {
    fcntl(listen_fd, F_SETFD, 0);  // the one descriptor nginx inherits
    setenv("NGINX", (std::to_string(listen_fd) + ";").c_str(), 1);
    execlp("nginx", "nginx", "-p", p.c_str(), "-c", (p + "/nginx.conf").c_str(), "-g",
           "daemon off;", static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(pid, 0);
  struct StopNginx {
    pid_t pid;
    ~StopNginx() {
      kill(pid, SIGQUIT);
      int status = 0;
      waitpid(pid, &status, 0);
    }
  } stop{pid};
  const std::string base = "https://127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(WaitFor([&] {
    return RunCommand({"curl", "-fsS", "--cacert", t + "/ca.pem", "-o", "/dev/null",
                       base + "/signed/MedMij_Whitelist.xml"})
               .exit_code == 0;
  })) << ReadFile(prefix / "logs/error.log");

  // Without the server's CA (the system CAs do not know it): a TLS failure, nothing installed.
  RunResult r = Fetch({"--lists", "whitelist", "--deadline", "5s"}, base);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(Entry(Doc(r), ListKind::kWhitelist)["error"]["reason"], "tls");
  EXPECT_NE(r.err.find("medmij-fetch: whitelist: " + base + "/signed/MedMij_Whitelist.xml: tls: "),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Entry(Doc(r), ListKind::kWhitelist)["attempts"], 1);  // not retried
  EXPECT_TRUE(fs::is_empty(out_));
  // With it.
  r = Fetch({"--lists", "whitelist", "--cacert", t + "/ca.pem"}, base);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(out_ / "signed/MedMij_Whitelist.xml"), ServedSigned(ListKind::kWhitelist));
}

TEST_F(FetchTest, BadUsageIsExit2AndFetchesNothing) {
  std::atomic<int> requests = 0;
  StubServer stub([&](const StubRequest&) {
    ++requests;
    return StubReply{};
  });
  const std::string bin = Binary("fetch/medmij-fetch").string();
  const auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), bin);
    return RunProcess(args, "", {{"no_proxy", "*"}});
  };
  const std::vector<std::string> good = {"--base-url", stub.Url(),    "--trust", pki_.ca.string(),
                                         "--out",      out_.string(), "--state", state_.string()};
  const auto with = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> a = good;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--trust", pki_.ca.string(), "--out", out_.string()},
       "--base-url is required; usage: medmij-fetch --base-url URL"},
      {with({"--deadline", "5x"}), "--deadline: '5x' has an unknown unit 'x'"},
      {with({"--max-stale", "0"}), "--max-stale: '0' must be more than zero"},
      {with({"--read-timeout", "-1s"}), "--read-timeout"},
      {with({"--max-size", "12TB"}), "--max-size: '12TB' has an unknown unit 'TB'"},
      {with({"--lists", "whitelist,blacklist"}), "--lists: unknown list 'blacklist'"},
      // A quoted value is escaped: the error stays one line.
      {with({"--lists", "whitelist,black\nlist"}), "--lists: unknown list 'black\\nlist'"},
      {with({"--cacert", (dir_ / "missing.pem").string()}), "--cacert"},
      {{"--base-url", "http://192.0.2.1", "--trust", pki_.ca.string(), "--out", out_.string()},
       "plain http:// to a host that is not loopback"},
      {{"--base-url", "ftp://127.0.0.1", "--trust", pki_.ca.string(), "--out", out_.string()},
       "must be http:// or https://"},
      {{"--base-url", stub.Url() + "/?x=1", "--trust", pki_.ca.string(), "--out", out_.string()},
       "must not have a query"},
      {{"--base-url", stub.Url(), "--trust", pki_.ca.string(), "--out",
        (dir_ / "nowhere").string()},
       "--out"},
      {{"--base-url", stub.Url(), "--trust", (dir_ / "missing-ca.pem").string(), "--out",
        out_.string()},
       "--trust"},
  };
  for (const auto& [args, fragment] : cases) {
    RunResult r = run(args);
    EXPECT_EQ(r.exit_code, 2) << fragment << "\n" << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
    EXPECT_EQ(r.err.rfind("medmij-fetch: ", 0), 0u) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  }
  // A corrupt state file: a clear error, exit 2, and the file is kept as it was.
  for (const std::string& text : {std::string("{not json"),
                                  std::string(R"({"format":"medmij-fetch-state","version":1,)"
                                              R"("lists":{"whitelist":{"volgnummer":"7"}}})"),
                                  std::string(R"({"version":2,"lists":{}})")}) {
    WriteFile(state_, text);
    RunResult r = run(good);
    EXPECT_EQ(r.exit_code, 2) << text << "\n" << r.err;
    EXPECT_NE(r.err.find("state file " + state_.string() + ": not a medmij-fetch state"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(ReadFile(state_), text);
  }
  // A state path that is a directory.
  RunResult r = run({"--base-url", stub.Url(), "--trust", pki_.ca.string(), "--out", out_.string(),
                     "--state", dir_.path().string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("is not a regular file"), std::string::npos) << r.err;
  EXPECT_EQ(requests, 0);
  EXPECT_TRUE(fs::is_empty(out_));
  // The injected clock is read strictly too.
  std::vector<std::string> argv = good;
  argv.insert(argv.begin(), bin);
  r = RunProcess(argv, "", {{"no_proxy", "*"}, {"MEDMIJ_TEST_NOW", "yesterday"}});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("MEDMIJ_TEST_NOW"), std::string::npos) << r.err;
  EXPECT_EQ(requests, 0);
}

// The defaults of the issue, as --help shows them (the shown value is the one parsed: main()
// gives CLI11 the same string as the default and as its display).
TEST(FetchUsageTest, HelpShowsTheDefaults) {
  RunResult r = RunProcess({Binary("fetch/medmij-fetch").string(), "--help"}, "", {}, 30);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* shown :
       {"--lists ID,...=whitelist,oauthclientlist,zorgaanbiederslijst,gegevensdienstnamenlijst",
        "--max-stale DURATION=1h", "--connect-timeout DURATION=10s", "--read-timeout DURATION=60s",
        "--deadline DURATION=5m", "--max-size BYTES=512MiB", "--cacert FILE", "--insecure-http",
        "--metrics FILE", "--json", "--state FILE"}) {
    EXPECT_NE(r.out.find(shown), std::string::npos) << shown << "\n" << r.out;
  }
}

}  // namespace
}  // namespace medmij::testing
