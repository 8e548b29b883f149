#include "registry/service/site_export.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "registry/http/register_pages.h"
#include "registry/web/view_builder.h"
#include "tests/support/process.h"

namespace medmij::service {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SiteExport, FileForEachPath) {
  EXPECT_EQ(SiteExport::FileFor("/"), "index.html");
  EXPECT_EQ(SiteExport::FileFor("/lijsten"), "lijsten/index.html");
  EXPECT_EQ(SiteExport::FileFor("/deelnemers/acme"), "deelnemers/acme/index.html");
  EXPECT_EQ(SiteExport::FileFor("/static/register.css"), "static/register.css");
}

TEST(SiteExport, WritesEveryPageAndRewritesOnlyWhatChanged) {
  testing::TempDir dir;
  web::PublicParticipant p;
  p.id = "acme";
  p.legal_name = "Acme B.V.";
  p.status = Lifecycle::kActive;
  auto pages = http::PreparePages(web::MakeRegisterView({p}, {}, ""));
  SiteExport exporter(dir.path());
  ASSERT_TRUE(exporter.Write(*pages).ok());
  for (const auto& [path, page] : pages->by_path) {
    EXPECT_EQ(Read(dir.path() / SiteExport::FileFor(path)), page.body->bytes()) << path;
  }
  EXPECT_EQ(Read(dir.path() / "404.html"), pages->not_found->bytes());

  // Unchanged pages are not written again (a file replaced by hand stays), changed ones are.
  const fs::path css = dir.path() / "static/register.css";
  std::ofstream(css) << "by hand";
  p.legal_name = "Acme Zorg B.V.";
  auto changed = http::PreparePages(web::MakeRegisterView({p}, {}, ""));
  ASSERT_TRUE(exporter.Write(*changed).ok());
  EXPECT_EQ(Read(css), "by hand");
  EXPECT_NE(Read(dir.path() / "deelnemers/acme/index.html").find("Acme Zorg B.V."),
            std::string::npos);
}

TEST(SiteExport, AFailureNamesTheFile) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "deelnemers") << "a file where a folder belongs";
  web::PublicParticipant p;
  p.id = "acme";
  p.legal_name = "Acme B.V.";
  auto pages = http::PreparePages(web::MakeRegisterView({p}, {}, ""));
  Status st = SiteExport(dir.path()).Write(*pages);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find((dir.path() / "deelnemers").string()), std::string::npos)
      << st.message();
}

}  // namespace
}  // namespace medmij::service
