// medmij-admin when the file system is against it: a data dir this user may only read, and a
// disk that fills during a write. Read commands must keep working, writes must say the real
// cause in one line, and what was committed must stay exactly as it was.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tests/integration/cli/cli_fixture.h"
#include "tests/support/sha256.h"

namespace medmij::testing {
namespace {

namespace fs = std::filesystem;

std::string Contents(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The data dir's files as bytes, to show a refused write changed nothing.
std::map<std::string, std::string> FilesOf(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    files[e.path().filename().string()] = Sha256Hex(Contents(e.path()));
  }
  return files;
}

// Writes `file` until the file system is full, then gives back `leave` bytes.
void FillUp(const fs::path& file, uintmax_t leave) {
  {
    std::ofstream out(file, std::ios::binary);
    const std::string block(4096, 'x');
    while (out.write(block.data(), block.size())) {
    }
  }
  {
    std::ofstream tail(file, std::ios::binary | std::ios::app);
    while (tail.put('x')) {
    }
  }
  fs::resize_file(file, fs::file_size(file) - std::min(leave, fs::file_size(file)));
}

class ReadOnlyDataDirTest : public CliTest {
 protected:
  // medmij-admin as a user who may read the data dir but not write it: as root (who may write
  // anything), the unprivileged `nobody` by setpriv; otherwise this user, once the modes forbid
  // writing.
  RunResult Reader(std::vector<std::string> args) {
    std::vector<std::string> argv;
    if (geteuid() == 0) {
      argv = {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"};
    }
    argv.push_back(Binary("admin-cli/medmij-admin").string());
    argv.insert(argv.end(), {"--data-dir", data_dir(), "--operator", "auditor"});
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv);
  }

  // Everyone may read and enter the data dir and its files; nobody may write them.
  void MakeReadOnly() {
    fs::permissions(dir_.path(), fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
    fs::permissions(data_dir(), fs::perms::owner_read | fs::perms::owner_exec |
                                    fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);
    for (const auto& e : fs::directory_iterator(data_dir())) {
      fs::permissions(e.path(),
                      fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    }
  }

  void TearDown() override {
    // Let TempDir remove it again.
    fs::permissions(data_dir(), fs::perms::owner_all, fs::perm_options::add);
  }
};

TEST_F(ReadOnlyDataDirTest, ReadCommandsWorkAndAWriteSaysWhyNotAndChangesNothing) {
  GoodStanding("lab-dva", {"dva"});
  Ok({"participant", "enrol", "app-pgo", "--name", "App PGO", "--kvk", "87654321", "--role",
      "dvp"});
  MakeReadOnly();
  const auto before = FilesOf(data_dir());

  auto list = Reader({"participant", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("lab-dva"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("app-pgo"), std::string::npos) << list.out;
  EXPECT_EQ(list.err, "");
  auto show = Reader({"--json", "participant", "show", "lab-dva"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(nlohmann::json::parse(show.out)["status"], "active") << show.out;
  auto verify = Reader({"journal", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(verify.err, "");  // nothing to record for 'status' where it may not write
  auto check = Reader({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, "state matches the journal\n");

  auto write = Reader({"participant", "suspend", "lab-dva", "--reason", "test"});
  EXPECT_EQ(write.exit_code, 3) << write.err;
  EXPECT_EQ(write.err.rfind("medmij-admin: data dir " + data_dir() + " is read-only here: its ", 0),
            0u)
      << write.err;
  EXPECT_NE(write.err.find("is not writable by this user (Permission denied); this command "
                           "changes the registry"),
            std::string::npos)
      << write.err;
  EXPECT_EQ(std::count(write.err.begin(), write.err.end(), '\n'), 1) << write.err;

  EXPECT_EQ(FilesOf(data_dir()), before);
  // The owner still can, and sees nothing of the refused write.
  fs::permissions(fs::path(data_dir()) / "data.mdb", fs::perms::owner_write, fs::perm_options::add);
  fs::permissions(fs::path(data_dir()) / "lock.mdb", fs::perms::owner_write, fs::perm_options::add);
  EXPECT_EQ(Json({"participant", "show", "lab-dva"})["status"], "active");
}

// The lock file is writable for the reader but the data file is not (a group that may read and
// take reader slots): reads go through LMDB's locking as usual.
TEST_F(ReadOnlyDataDirTest, AWritableLockFileIsUsedForReaderSlots) {
  GoodStanding("lab-dva", {"dva"});
  MakeReadOnly();
  fs::permissions(fs::path(data_dir()) / "lock.mdb", fs::perms::all, fs::perm_options::add);
  auto list = Reader({"participant", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("lab-dva"), std::string::npos) << list.out;
  auto write = Reader({"participant", "suspend", "lab-dva", "--reason", "test"});
  EXPECT_EQ(write.exit_code, 3) << write.err;
  EXPECT_NE(write.err.find("its data file is not writable by this user"), std::string::npos)
      << write.err;
}

// The data dir on a small tmpfs that fills up: an import that needs more room than is left says
// "disk full" (LMDB itself says "Input/output error"), and the committed data is as it was;
// with room again the same import succeeds.
TEST(DiskFullTest, AWriteOnAFullDiskSaysSoAndTheCommittedDataIsIntact) {
  // A private mount namespace for this test process (and the binaries it starts), so the tmpfs
  // is nobody else's and disappears with the test.
  ASSERT_EQ(geteuid(), 0u) << "mounting a tmpfs needs root, as the package test does";
  ASSERT_EQ(unshare(CLONE_NEWNS), 0) << std::strerror(errno);
  ASSERT_EQ(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0) << std::strerror(errno);
  TempDir tmp;
  const fs::path mnt = tmp / "fs";
  fs::create_directory(mnt);
  ASSERT_EQ(mount("tmpfs", mnt.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=8m,mode=0755"), 0)
      << std::strerror(errno);
  struct Unmount {
    fs::path p;
    ~Unmount() { umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt};

  const std::string data = (mnt / "data").string();
  auto admin = [&](std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> argv{Binary("admin-cli/medmij-admin").string(), "--data-dir", data,
                                  "--operator", "alice"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, input);
  };
  ASSERT_EQ(admin({"init"}).exit_code, 0);
  ASSERT_EQ(admin({"participant", "enrol", "first-dva", "--name", "First", "--kvk", "12345678",
                   "--role", "dva"})
                .exit_code,
            0);
  const std::string journal = admin({"journal", "export"}).out;

  // Far more than fits in what is left.
  std::string lines;
  for (int i = 0; i < 1000; ++i) {
    lines += nlohmann::json{{"type", "participant"},
                            {"id", "org-" + std::to_string(i)},
                            {"name", "Organisation " + std::to_string(i) + std::string(150, 'x')},
                            {"kvk", "12345678"},
                            {"roles", {"dvp"}}}
                 .dump() +
             "\n";
  }
  const fs::path file = tmp / "many.jsonl";
  std::ofstream(file) << lines;
  FillUp(mnt / "filler", 64 * 1024);

  auto r = admin({"import", file.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.rfind("medmij-admin: disk full (", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(" free on the file system of " + data + "): " + data + ": commit"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("nothing of this transaction was written"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  EXPECT_EQ(admin({"journal", "export"}).out, journal);
  auto verify = admin({"journal", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  auto check = admin({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.err;

  // A backup onto the full file system says the same, and leaves no partial file.
  FillUp(mnt / "filler2", 0);
  auto backup = admin({"backup", "--to", (mnt / "copy.mdb").string()});
  EXPECT_EQ(backup.exit_code, 1) << backup.err;
  EXPECT_EQ(backup.err.rfind("medmij-admin: disk full (", 0), 0u) << backup.err;
  EXPECT_NE(backup.err.find("backup " + (mnt / "copy.mdb").string() + " not written"),
            std::string::npos)
      << backup.err;
  EXPECT_FALSE(fs::exists(mnt / "copy.mdb"));

  fs::remove(mnt / "filler2");
  fs::remove(mnt / "filler");
  r = admin({"import", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(admin({"participant", "show", "org-999"}).out.find("Organisation 999"),
            std::string::npos);
}

}  // namespace
}  // namespace medmij::testing
