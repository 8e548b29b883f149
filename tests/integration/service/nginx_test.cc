// deploy/nginx/medmij-registry.conf with the real nginx in front of the real service: the
// export directory is served with the service's caching headers, conditional GETs get 304, and
// everything else is proxied.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  auto p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

TEST(Nginx, ServesExportDirWithConditionalGet) {
  TempDir dir;
  fs::path data = dir.path() / "data", exported = dir.path() / "export";
  fs::create_directories(exported);
  // nginx workers (www-data when the test runs as root) read the export dir, as in production.
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(exported, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
  InitDemoRegistry(data);
  ServiceOptions o;
  o.data_dir = data;
  o.pki = MakeDevPki(dir.path() / "pki");
  o.export_dir = exported;
  Service s(dir.path(), o);
  ASSERT_TRUE(s.Start()) << s.Stderr();
  ASSERT_TRUE(WaitFor([&] { return fs::exists(exported / "MedMij_Zorgaanbiederslijst.xml"); }))
      << s.Stderr();
  ASSERT_TRUE(WaitFor([&] { return HttpGet(s.Url("/healthz")).status == 200; }));

  // deploy/'s site config, pointed at this test's port, export dir and service.
  uint16_t port = FreePort();
  std::string site = ReadFile(SourceDir() / "deploy/nginx/medmij-registry.conf");
  site = Replace(site, "listen 80;", "listen 127.0.0.1:" + std::to_string(port) + ";");
  site = Replace(site, "root /var/www/medmij-lists;", "root " + exported.string() + ";");
  site =
      Replace(site, "server 127.0.0.1:8080;", "server 127.0.0.1:" + std::to_string(s.port()) + ";");
  fs::path prefix = dir.path() / "nginx";
  fs::create_directories(prefix / "logs");
  WriteFile(prefix / "site.conf", site);
  std::string p = prefix.string();
  WriteFile(prefix / "nginx.conf",
            "worker_processes 1;\npid " + p + "/nginx.pid;\nerror_log " + p +
                "/logs/error.log;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n"
                "  client_body_temp_path " +
                p + "/body;\n  proxy_temp_path " + p +
                "/proxy;\n"
                "  fastcgi_temp_path " +
                p + "/fcgi;\n  uwsgi_temp_path " + p +
                "/uwsgi;\n"
                "  scgi_temp_path " +
                p + "/scgi;\n  include " + p + "/site.conf;\n}\n");
  pid_t nginx = fork();
  if (nginx == 0) {
    execlp("nginx", "nginx", "-p", p.c_str(), "-c", (p + "/nginx.conf").c_str(), "-g",
           "daemon off;", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  bool up = WaitFor([&] { return HttpGet(base + "/healthz").ok; });
  if (up) {
    HttpResponse direct = HttpGet(s.Url("/MedMij_Zorgaanbiederslijst.xml"));
    HttpResponse full = HttpGet(base + "/MedMij_Zorgaanbiederslijst.xml");
    EXPECT_EQ(full.status, 200);
    EXPECT_EQ(full.body, direct.body);  // the exported file is the served version
    EXPECT_EQ(full.header("cache-control"), "public, max-age=60");
    EXPECT_EQ(full.header("content-type"), "application/xml");
    ASSERT_FALSE(full.header("etag").empty());
    // Served from the export dir by nginx itself (its ETag is mtime-size), not proxied.
    EXPECT_NE(full.header("etag"), direct.header("etag"));
    HttpResponse inm = HttpGet(base + "/MedMij_Zorgaanbiederslijst.xml",
                               {"If-None-Match: " + full.header("etag")});
    EXPECT_EQ(inm.status, 304);
    EXPECT_TRUE(inm.body.empty());
    HttpResponse ims = HttpGet(base + "/MedMij_Zorgaanbiederslijst.xml",
                               {"If-Modified-Since: " + full.header("last-modified")});
    EXPECT_EQ(ims.status, 304);
    // What nodes actually poll (?api=<major>) is served from the file too; a wrong major is
    // the service's to refuse.
    HttpResponse polled = HttpGet(base + "/MedMij_Zorgaanbiederslijst.xml?api=2");
    EXPECT_EQ(polled.status, 200);
    EXPECT_EQ(polled.header("etag"), full.header("etag"));
    HttpResponse gnl = HttpGet(base + "/MedMij_Gegevensdienstnamenlijst.xml?api=1");
    EXPECT_EQ(gnl.status, 200);
    EXPECT_LT(gnl.header("etag").size(), 40u);  // nginx's mtime-size tag, not our sha256 one
    EXPECT_EQ(HttpGet(base + "/MedMij_Zorgaanbiederslijst.xml?api=1").status, 400);
    // Other query strings and everything else go to the service.
    HttpResponse unsigned_form = HttpGet(base + "/MedMij_Zorgaanbiederslijst.xml?signed=false");
    EXPECT_EQ(unsigned_form.status, 200);
    EXPECT_EQ(unsigned_form.body.find("Signature"), std::string::npos);
    EXPECT_EQ(HttpGet(base + "/MedMij_Zorgaanbiederslijst.xml?bogus=1").status, 400);
    EXPECT_EQ(HttpGet(base + "/healthz").status, 200);
    EXPECT_EQ(HttpGet(base + "/MedMij_Whitelist.xml", {}, "POST").status, 405);
  }
  kill(nginx, SIGQUIT);
  int status = 0;
  waitpid(nginx, &status, 0);
  ASSERT_TRUE(up) << ReadFile(prefix / "logs/error.log");
  EXPECT_EQ(s.Stop(), 0);
}

}  // namespace
}  // namespace medmij::testing
