#include "fetch/install.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "tests/support/process.h"

namespace medmij::fetch {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::pair<std::string, ino_t>> Tree(const fs::path& dir) {
  std::map<std::string, std::pair<std::string, ino_t>> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    struct stat st {};
    lstat(e.path().c_str(), &st);
    out[fs::relative(e.path(), dir).string()] = {
        e.is_regular_file() ? testing::ReadBytes(e.path()) : std::string("<dir>"), st.st_ino};
  }
  return out;
}

const Time kTijdstempel = *ParseTime("2026-11-22T10:00:00Z", "t");

TEST(InstallTest, BothFormsInPlaceWithTheTijdstempelAsMtime) {
  testing::TempDir dir;
  EXPECT_FALSE(Installed(dir.path(), "MedMij_Whitelist.xml"));
  auto r = InstallList(dir.path(), "MedMij_Whitelist.xml", "strict", "signed!", kTijdstempel);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->strict_written && r->signed_written);
  EXPECT_EQ(testing::ReadBytes(dir / "MedMij_Whitelist.xml"), "strict");
  EXPECT_EQ(testing::ReadBytes(dir / "signed" / "MedMij_Whitelist.xml"), "signed!");
  EXPECT_TRUE(Installed(dir.path(), "MedMij_Whitelist.xml"));
  struct stat st {};
  ASSERT_EQ(stat((dir / "MedMij_Whitelist.xml").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1795341600);
}

TEST(InstallTest, BytesAlreadyInPlaceAreNotRewritten) {
  testing::TempDir dir;
  ASSERT_TRUE(InstallList(dir.path(), "L.xml", "strict", "signed", kTijdstempel).ok());
  const auto before = Tree(dir.path());
  auto same = InstallList(dir.path(), "L.xml", "strict", "signed", kTijdstempel);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->strict_written || same->signed_written);
  EXPECT_EQ(Tree(dir.path()), before);
  // Only the file that differs is put back.
  std::ofstream(dir / "L.xml", std::ios::trunc) << "damaged";
  auto repaired = InstallList(dir.path(), "L.xml", "strict", "signed", kTijdstempel);
  ASSERT_TRUE(repaired.ok());
  EXPECT_TRUE(repaired->strict_written);
  EXPECT_FALSE(repaired->signed_written);
  EXPECT_EQ(testing::ReadBytes(dir / "L.xml"), "strict");
  EXPECT_EQ(Tree(dir.path()).at("signed/L.xml"), before.at("signed/L.xml"));
}

// The second form does not fit (a file size limit stands in for a full disk): neither is
// installed, no temp file is left, and a signed/ made for them goes again.
TEST(InstallTest, AllOrNothing) {
  testing::TempDir dir;
  ASSERT_TRUE(InstallList(dir.path(), "A.xml", "old strict", "old signed", kTijdstempel).ok());
  const auto before = Tree(dir.path());
  struct rlimit saved {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 100;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const std::string strict(50, 's'), signed_form(500, 'S');  // the strict fits, the signed not
  auto r = InstallList(dir.path(), "A.xml", strict, signed_form, kTijdstempel);
  testing::TempDir fresh;
  auto r2 = InstallList(fresh.path(), "B.xml", strict, signed_form, kTijdstempel);
  setrlimit(RLIMIT_FSIZE, &saved);
  signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kIoError);
  EXPECT_NE(r.status().message().find("File too large"), std::string::npos) << r.status().message();
  EXPECT_EQ(Tree(dir.path()), before);
  ASSERT_FALSE(r2.ok());
  EXPECT_TRUE(fs::is_empty(fresh.path()));
}

TEST(InstallTest, ASignedPathThatIsNotADirectoryIsAnError) {
  testing::TempDir dir;
  std::ofstream(dir / "signed") << "a file";
  auto r = InstallList(dir.path(), "A.xml", "s", "S", kTijdstempel);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a directory"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "A.xml"));
}

}  // namespace
}  // namespace medmij::fetch
