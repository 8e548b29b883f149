// StagedFile (all-or-nothing installs, atomic_file.h) and LockedFile (a tool's state across runs).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "registry/common/atomic_file.h"
#include "registry/common/locked_file.h"
#include "tests/support/process.h"

namespace medmij {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST(StagedFileTest, NothingIsInPlaceBeforeCommit) {
  TempDir dir;
  const fs::path target = dir / "list.xml";
  std::ofstream(target) << "old";
  AtomicWriteOptions o;
  o.mode = 0640;
  o.mtime = *ParseTime("2026-11-22T10:00:00Z", "t");
  auto staged = StagedFile::Create(target, "new", o);
  ASSERT_TRUE(staged.ok()) << staged.status().message();
  EXPECT_EQ(testing::ReadBytes(target), "old");
  EXPECT_EQ(testing::CountEntries(dir.path()), 2u);  // the target and the temp file
  ASSERT_TRUE((*staged)->Commit().ok());
  EXPECT_EQ(testing::ReadBytes(target), "new");
  EXPECT_EQ(testing::CountEntries(dir.path()), 1u);
  struct stat st {};
  ASSERT_EQ(stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1795341600);
}

TEST(StagedFileTest, DroppedUncommittedLeavesTheTargetAndNothingElse) {
  TempDir dir;
  const fs::path target = dir / "list.xml";
  std::ofstream(target) << "old";
  {
    auto staged = StagedFile::Create(target, "new");
    ASSERT_TRUE(staged.ok());
  }
  EXPECT_EQ(testing::ReadBytes(target), "old");
  EXPECT_EQ(testing::CountEntries(dir.path()), 1u);
  // A failing fill: its status comes back, nothing is left.
  auto failed = StagedFile::Create(target, [](int) { return Status::IoError("disk on fire"); });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "disk on fire");
  EXPECT_EQ(testing::CountEntries(dir.path()), 1u);
  // A directory that does not exist.
  auto nowhere = StagedFile::Create(dir / "missing" / "f", "x");
  ASSERT_FALSE(nowhere.ok());
  EXPECT_EQ(nowhere.status().code(), Status::Code::kIoError);
}

TEST(LockedFileTest, ReadsReplacesAndKeepsOthersOut) {
  TempDir dir;
  const fs::path p = dir / "state.json";
  {
    auto f = LockedFile::Open(p, "state", 100);
    ASSERT_TRUE(f.ok()) << f.status().message();
    EXPECT_FALSE((*f)->content());
    EXPECT_EQ((*f)->what(), "state file " + p.string());
    ASSERT_TRUE((*f)->Replace("one").ok());
    EXPECT_EQ(*(*f)->content(), "one");
    // Another process asking for the same lock waits: it cannot take it now.
    const pid_t child = fork();
    if (child == 0) {
      const int fd = open((p.string() + ".lock").c_str(), O_RDWR);
      _exit(flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_EQ(WEXITSTATUS(status), 1);
  }
  struct stat st {};
  ASSERT_EQ(stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = LockedFile::Open(p, "state", 100);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*(*again)->content(), "one");
  EXPECT_EQ(testing::CountEntries(dir.path()), 2u);  // the file and its lock
}

TEST(LockedFileTest, RefusesLinksDirectoriesAndLargeFiles) {
  TempDir dir;
  std::ofstream(dir / "real") << "x";
  fs::create_symlink(dir / "real", dir / "link");
  auto link = LockedFile::Open(dir / "link", "state", 100);
  ASSERT_FALSE(link.ok());
  EXPECT_NE(
      link.status().message().find("state file " + (dir / "link").string() + " is a symbolic link"),
      std::string::npos);
  fs::create_directory(dir / "d");
  auto d = LockedFile::Open(dir / "d", "cache", 100);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(),
            "cache file " + (dir / "d").string() + " is not a regular file (it is a directory)");
  std::ofstream(dir / "big") << std::string(101, 'x');
  auto big = LockedFile::Open(dir / "big", "state", 100);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("a state is at most 100"), std::string::npos);
  EXPECT_EQ(testing::ReadBytes(dir / "big"), std::string(101, 'x'));
}

TEST(LockedFileTest, RefusesALinkedLockAndCreatesNothingThroughIt) {
  TempDir dir;
  fs::create_directory(dir / "elsewhere");
  fs::create_symlink(dir / "elsewhere" / "victim", dir / "state.lock");  // dangling
  auto f = LockedFile::Open(dir / "state", "state", 100);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(), "state lock " + (dir / "state.lock").string() +
                                      " is a symbolic link; give the path of the file itself");
  EXPECT_FALSE(fs::exists(dir / "elsewhere" / "victim"));
  EXPECT_FALSE(fs::exists(dir / "state"));
}

// The directory is the one opened and locked, also when a directory of the path is re-linked
// between Open and Replace: the new state goes beside its lock, not to where the link now points.
TEST(LockedFileTest, ReplacesInTheDirectoryItLockedNotWhereAPathNowLeads) {
  TempDir dir;
  fs::create_directory(dir / "mine");
  fs::create_directory(dir / "other");
  fs::create_symlink(dir / "mine", dir / "via");
  auto f = LockedFile::Open(dir / "via" / "state", "state", 100);
  ASSERT_TRUE(f.ok()) << f.status().message();
  fs::remove(dir / "via");
  fs::create_symlink(dir / "other", dir / "via");
  ASSERT_TRUE((*f)->Replace("new").ok());
  EXPECT_EQ(testing::ReadBytes(dir / "mine" / "state"), "new");
  EXPECT_FALSE(fs::exists(dir / "other" / "state"));
  EXPECT_EQ(testing::CountEntries(dir / "other"), 0u);
  EXPECT_EQ(testing::CountEntries(dir / "mine"), 2u);  // the file and its lock, no temp file
}

// A state file replaced by a link after Open: the rename replaces the link, never its target.
TEST(LockedFileTest, ReplaceNeverWritesThroughALinkPlantedAfterOpen) {
  TempDir dir;
  std::ofstream(dir / "victim") << "precious";
  auto f = LockedFile::Open(dir / "state", "state", 100);
  ASSERT_TRUE(f.ok()) << f.status().message();
  fs::create_symlink(dir / "victim", dir / "state");
  ASSERT_TRUE((*f)->Replace("new").ok());
  EXPECT_EQ(testing::ReadBytes(dir / "victim"), "precious");
  EXPECT_FALSE(fs::is_symlink(dir / "state"));
  EXPECT_EQ(testing::ReadBytes(dir / "state"), "new");
}

// What is kept beside a state (evidence) is written once: an existing file or a link planted at
// the name is never replaced or written through.
TEST(LockedFileTest, WriteBesideNeverReplacesAFileOrFollowsALink) {
  TempDir dir;
  std::ofstream(dir / "victim") << "precious";
  auto f = LockedFile::Open(dir / "state", "state", 100);
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_TRUE((*f)->WriteBeside(".kept-1", "first").ok());
  EXPECT_EQ(testing::ReadBytes(dir / "state.kept-1"), "first");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "state.kept-1").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  Status again = (*f)->WriteBeside(".kept-1", "second");
  EXPECT_EQ(again.code(), Status::Code::kAlreadyExists) << again.message();
  EXPECT_EQ(again.message(), (dir / "state.kept-1").string() + ": already exists");
  EXPECT_EQ(testing::ReadBytes(dir / "state.kept-1"), "first");

  fs::create_symlink(dir / "victim", dir / "state.kept-2");
  EXPECT_EQ((*f)->WriteBeside(".kept-2", "second").code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(testing::ReadBytes(dir / "victim"), "precious");
  EXPECT_FALSE(fs::exists(dir / "state"));           // the state itself is not written
  EXPECT_EQ(testing::CountEntries(dir.path()), 4u);  // victim, lock, kept-1, kept-2: no temp file
}

}  // namespace
}  // namespace medmij
