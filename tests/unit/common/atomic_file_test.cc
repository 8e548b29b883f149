// The atomic file writer: whole files or nothing, exact modes, no temp files left behind.
#include "registry/common/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/support/process.h"

namespace medmij {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

mode_t Mode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(AtomicFile, WritesAndReplacesWithTheExactMode) {
  TempDir dir;
  const fs::path f = dir / "list.xml";
  const mode_t old_umask = ::umask(077);
  ASSERT_TRUE(WriteFileAtomically(f, "one", {.mode = 0644}).ok());
  ::umask(old_umask);
  EXPECT_EQ(testing::ReadBytes(f), "one");
  EXPECT_EQ(Mode(f), 0644u);  // the umask does not narrow it
  ASSERT_TRUE(WriteFileAtomically(f, std::string(1 << 20, 'x'), {.mode = 0600}).ok());
  EXPECT_EQ(testing::ReadBytes(f), std::string(1 << 20, 'x'));
  EXPECT_EQ(Mode(f), 0600u);
  EXPECT_EQ(testing::CountEntries(dir.path()), 1u);
}

TEST(AtomicFile, SetsTheModificationTimeWhenAsked) {
  TempDir dir;
  const fs::path f = dir / "MedMij_Whitelist.xml";
  const Time mtime = ParseTime("2026-11-22T10:00:00Z", "t").value();
  ASSERT_TRUE(WriteFileAtomically(f, "x", {.mode = 0644, .replace = true, .mtime = mtime}).ok());
  struct stat st {};
  ASSERT_EQ(::stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1795341600);
  EXPECT_EQ(st.st_mtim.tv_nsec, 0);
}

TEST(AtomicFile, WithoutReplaceAnExistingTargetIsRefusedAndKept) {
  TempDir dir;
  const fs::path f = dir / "backup.mdb";
  ASSERT_TRUE(WriteFileAtomically(f, "first", {.mode = 0600, .replace = false}).ok());
  Status st = WriteFileAtomically(f, "second", {.mode = 0600, .replace = false});
  EXPECT_EQ(st.code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(st.message(), f.string() + ": already exists");
  EXPECT_EQ(testing::ReadBytes(f), "first");
  // A target that appears while the content is written is not overwritten either.
  const fs::path g = dir / "raced";
  st = WriteFileAtomically(g,
                           [&](int fd) {
                             std::ofstream(g) << "someone else";
                             return WriteAll(fd, "mine", "x");
                           },
                           {.mode = 0600, .replace = false});
  EXPECT_EQ(st.code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(testing::ReadBytes(g), "someone else");
  EXPECT_EQ(testing::CountEntries(dir.path()), 2u);
}

TEST(AtomicFile, AFailedFillLeavesTheOldFileAndNoTemp) {
  TempDir dir;
  const fs::path f = dir / "state.json";
  ASSERT_TRUE(WriteFileAtomically(f, "old").ok());
  Status st = WriteFileAtomically(f, [](int fd) {
    (void)WriteAll(fd, "half", "x");
    return Status::Exhausted("disk full");
  });
  EXPECT_EQ(st.code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(st.message(), "disk full");
  EXPECT_EQ(testing::ReadBytes(f), "old");
  EXPECT_EQ(testing::CountEntries(dir.path()), 1u);
}

TEST(AtomicFile, MissingDirectoryOrFullDeviceIsAnIoErrorNamingThePath) {
  TempDir dir;
  Status st = WriteFileAtomically(dir / "no" / "such" / "file", "x");
  EXPECT_EQ(st.code(), Status::Code::kIoError);
  EXPECT_NE(st.message().find((dir / "no" / "such").string()), std::string::npos) << st.message();
  // /dev/full refuses every write with ENOSPC.
  st = WriteFileAtomically(dir / "f", [](int) {
    int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    Status s = WriteAll(full, "data", "/dev/full");
    ::close(full);
    return s;
  });
  EXPECT_EQ(st.code(), Status::Code::kIoError);
  EXPECT_NE(st.message().find("No space left on device"), std::string::npos) << st.message();
  EXPECT_FALSE(fs::exists(dir / "f"));
  EXPECT_EQ(testing::CountEntries(dir.path()), 0u);
}

}  // namespace
}  // namespace medmij
