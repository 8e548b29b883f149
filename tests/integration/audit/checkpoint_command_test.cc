// medmij-audit checkpoint, the real binary, against a log this test builds in memory and serves
// the C2SP way (URL/log/checkpoint, URL/log/tile/...) from a stub server on 127.0.0.1.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "registry/common/note.h"
#include "tests/integration/audit/memory_log.h"
#include "tests/support/http_stub.h"
#include "tests/support/process.h"

namespace medmij::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char kOrigin[] = "registry.test/log";
constexpr const char kNow[] = "2026-12-03T12:00:00Z";
constexpr const char kNowInName[] = "20261203T120000Z";

note::Signer MakeSigner(char seed, const std::string& name = kOrigin) {
  auto signer = note::Signer::FromSeed(name, std::string(32, seed));
  if (!signer.ok()) throw std::runtime_error(signer.status().message());
  return *signer;
}

class CheckpointCommandTest : public ::testing::Test {
 protected:
  CheckpointCommandTest()
      : signer_(MakeSigner('\x07')), server_([this](const StubRequest& r) { return Reply(r); }) {
    std::ofstream(vkey_) << signer_.verifier().ToString() << "\n";
  }

  // Serves `log`: its checkpoint signed by the log's key and all its tiles.
  void Serve(const MemoryLog& log) { Serve(log.Note(signer_), log); }
  // Serves `note` as the checkpoint and the tiles of `log`.
  void Serve(const std::string& note, const MemoryLog& log) {
    std::lock_guard lock(mu_);
    note_ = note;
    tiles_ = log.Tiles();
  }
  void SetTile(const std::string& path, std::string bytes) {
    std::lock_guard lock(mu_);
    tiles_.at(path) = std::move(bytes);
  }
  void RemoveTile(const std::string& path) {
    std::lock_guard lock(mu_);
    ASSERT_EQ(tiles_.erase(path), 1u) << path;
  }

  // Answers /log/checkpoint with `reply` instead of the note.
  void SetCheckpointReply(StubReply reply) {
    std::lock_guard lock(mu_);
    checkpoint_reply_ = std::move(reply);
  }

  RunResult Check(const fs::path& state, const std::vector<std::string>& more = {}) {
    const size_t before = server_.Requests().size();
    std::vector<std::string> argv = {Binary("audit-cli/medmij-audit").string(),
                                     "checkpoint",
                                     "--base-url",
                                     server_.Url(),
                                     "--vkey",
                                     vkey_.string(),
                                     "--state",
                                     state.string()};
    argv.insert(argv.end(), more.begin(), more.end());
    RunResult r = RunProcess(argv, "", {{"MEDMIJ_TEST_NOW", kNow}});
    const auto requests = server_.Requests();
    tile_requests_.clear();
    for (size_t i = before; i < requests.size(); ++i) {
      if (requests[i].target.starts_with("/log/tile/"))
        tile_requests_.push_back(requests[i].target);
    }
    return r;
  }
  RunResult Check() { return Check(state_); }

  // The evidence files beside the state.
  std::vector<std::string> Evidence() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_.path())) {
      const std::string name = e.path().filename().string();
      if (name.starts_with("state.refused-")) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  StubReply Reply(const StubRequest& r) {
    std::lock_guard lock(mu_);
    StubReply reply;
    if (r.target == "/log/checkpoint") {
      if (checkpoint_reply_) return *checkpoint_reply_;
      reply.body = note_;
      return reply;
    }
    constexpr std::string_view kTiles = "/log/";
    if (r.target.starts_with(kTiles)) {
      auto it = tiles_.find(r.target.substr(kTiles.size()));
      if (it != tiles_.end()) {
        reply.body = it->second;
        return reply;
      }
    }
    reply.status = 404;
    return reply;
  }

  TempDir dir_;
  const fs::path vkey_ = dir_ / "log.vkey";
  const fs::path state_ = dir_ / "state";
  note::Signer signer_;
  std::mutex mu_;
  std::string note_;
  std::optional<StubReply> checkpoint_reply_;
  std::map<std::string, std::string> tiles_;
  std::vector<std::string> tile_requests_;  // of the last Check
  StubServer server_;
};

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(CheckpointCommandTest, FirstUseTrustsAndSavesTheCheckpoint) {
  MemoryLog log(5);
  Serve(log);
  RunResult r = Check();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "size 5 root ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "first use, trusted and saved")) << r.out;
  EXPECT_EQ(ReadBytes(state_), log.Note(signer_));
  struct stat st {};
  ASSERT_EQ(::stat(state_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(tile_requests_.empty());
}

TEST_F(CheckpointCommandTest, GrowsConsistentlyAcrossTileBoundaries) {
  MemoryLog log;
  uint64_t previous = 0;
  for (uint64_t size : {1, 255, 256, 257, 300, 65536, 65537, 70000}) {
    SCOPED_TRACE("size " + std::to_string(size));
    log.Grow(size);
    Serve(log);
    RunResult r = Check();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    if (previous == 0) {
      EXPECT_TRUE(Contains(r.out, "first use")) << r.out;
    } else {
      EXPECT_TRUE(Contains(r.out, Cat("consistent with the saved ", std::string(kOrigin), " size ",
                                      std::to_string(previous), " ")))
          << r.out;
      // Only the tiles that hold the proof's hashes, each once: O(log n).
      EXPECT_FALSE(tile_requests_.empty());
      EXPECT_LE(tile_requests_.size(), 8u);
      std::vector<std::string> sorted = tile_requests_;
      std::sort(sorted.begin(), sorted.end());
      EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
      EXPECT_TRUE(Contains(r.out, Cat("(", std::to_string(tile_requests_.size()), " tiles read)")))
          << r.out;
    }
    // Past 65536 leaves, the proof's large subtrees come from level-1 and level-2 tiles.
    if (previous == 65537) {
      EXPECT_TRUE(std::any_of(tile_requests_.begin(), tile_requests_.end(),
                              [](const std::string& t) { return t.starts_with("/log/tile/1/"); }));
    }
    EXPECT_EQ(ReadBytes(state_), log.Note(signer_));
    previous = size;
  }
  EXPECT_TRUE(Evidence().empty());
}

TEST_F(CheckpointCommandTest, SameSizeAndRootIsUnchangedWithoutTiles) {
  MemoryLog log(300);
  Serve(log);
  ASSERT_EQ(Check().exit_code, 0);
  RunResult r = Check();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "size 300 root ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "the same as the saved one")) << r.out;
  EXPECT_TRUE(tile_requests_.empty());
}

TEST_F(CheckpointCommandTest, AForkedTreeIsASplitViewRefusedWithEvidence) {
  MemoryLog log(256);
  Serve(log);
  ASSERT_EQ(Check().exit_code, 0);
  const std::string saved = ReadBytes(state_);

  // Another history: the same first 200 entries, then others.
  MemoryLog fork(300, "forked", 200);
  Serve(fork);
  RunResult r = Check();
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  ASSERT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(Contains(r.err, "SPLIT VIEW: the log's checkpoint size 300 root ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "does not extend the saved size 256 root ")) << r.err;
  EXPECT_EQ(ReadBytes(state_), saved);
  const std::string evidence = Cat("state.refused-300-", kNowInName);
  EXPECT_TRUE(Contains(r.err, (dir_ / evidence).string())) << r.err;
  ASSERT_EQ(Evidence(), std::vector<std::string>{evidence});
  EXPECT_EQ(ReadBytes(dir_ / evidence), fork.Note(signer_));

  // Refused again (in the same second): the first evidence stays, the second is kept beside it.
  EXPECT_EQ(Check().exit_code, 3);
  EXPECT_EQ(Evidence(), (std::vector<std::string>{evidence, evidence + "-2"}));
  EXPECT_EQ(ReadBytes(dir_ / evidence), fork.Note(signer_));
  EXPECT_EQ(ReadBytes(state_), saved);

  // The state was never replaced: the true history still checks against it.
  log.Grow(300);
  Serve(log);
  r = Check();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "consistent with the saved registry.test/log size 256")) << r.out;
}

TEST_F(CheckpointCommandTest, AnotherRootForTheSavedSizeIsASplitView) {
  Serve(MemoryLog(300));
  ASSERT_EQ(Check().exit_code, 0);
  const std::string saved = ReadBytes(state_);
  MemoryLog fork(300, "forked", 299);
  Serve(fork);
  RunResult r = Check();
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, "SPLIT VIEW: the log's checkpoint size 300 root "));
  EXPECT_TRUE(Contains(r.err, "has another root than the saved size 300 root ")) << r.err;
  EXPECT_EQ(ReadBytes(state_), saved);
  EXPECT_EQ(Evidence(), std::vector<std::string>{Cat("state.refused-300-", kNowInName)});
  EXPECT_TRUE(tile_requests_.empty());
}

TEST_F(CheckpointCommandTest, ASmallerTreeIsASplitView) {
  Serve(MemoryLog(300));
  ASSERT_EQ(Check().exit_code, 0);
  const std::string saved = ReadBytes(state_);
  Serve(MemoryLog(256));
  RunResult r = Check();
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, "size 256 root ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "is smaller than the saved size 300 root ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "the log went back")) << r.err;
  EXPECT_EQ(ReadBytes(state_), saved);
  EXPECT_EQ(Evidence(), std::vector<std::string>{Cat("state.refused-256-", kNowInName)});
}

TEST_F(CheckpointCommandTest, ACheckpointTheKeyDidNotSignIsRefusedAndNeverSaved) {
  MemoryLog log(300);
  std::string tampered = log.Note(signer_);
  tampered.replace(tampered.find("\n300\n"), 5, "\n301\n");
  const std::string other_key = log.Note(MakeSigner('\x08'));
  const std::string other_origin = log.Note(signer_, "other.test/log");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {tampered, "checkpoint: not signed by registry.test/log: "},
      {other_key, "checkpoint: not signed by registry.test/log: "},
      {other_origin, "checkpoint: origin 'other.test/log' is not the log key's name"},
  };
  for (const auto& [bad, message] : cases) {
    SCOPED_TRACE(message);
    // On first use nothing is trusted or saved; later the saved state stays.
    for (bool first : {true, false}) {
      if (!first) {
        Serve(MemoryLog(5));
        ASSERT_EQ(Check().exit_code, 0);
      }
      const std::string saved = ReadBytes(state_);
      Serve(bad, log);
      RunResult r = Check();
      EXPECT_EQ(r.exit_code, 1) << r.err;
      ASSERT_EQ(Lines(r.err).size(), 1u) << r.err;
      EXPECT_TRUE(Contains(r.err, "/log/checkpoint: refused: " + message)) << r.err;
      EXPECT_EQ(fs::exists(state_), !first);
      EXPECT_EQ(ReadBytes(state_), saved);
      EXPECT_TRUE(Evidence().empty());
    }
    fs::remove(state_);
  }
}

// Bounded in time and size: a server that stalls or sends too much is given up on.
TEST_F(CheckpointCommandTest, AStalledOrOversizedAnswerLeavesItUnchecked) {
  Serve(MemoryLog(5));
  StubReply stall;
  stall.mode = StubReply::Mode::kStall;
  SetCheckpointReply(stall);
  RunResult r = Check(state_, {"--deadline", "1s"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  ASSERT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(Contains(r.err, "/log/checkpoint: timeout: ")) << r.err;

  StubReply huge;
  huge.body = std::string(100 * 1024, 'a');
  SetCheckpointReply(huge);
  r = Check();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "/log/checkpoint: too_large: ")) << r.err;
  EXPECT_FALSE(fs::exists(state_));
}

TEST_F(CheckpointCommandTest, AMissingTileLeavesItUnchecked) {
  Serve(MemoryLog(256));
  ASSERT_EQ(Check().exit_code, 0);
  const std::string saved = ReadBytes(state_);
  Serve(MemoryLog(70000));
  RemoveTile("tile/0/273.p/112");  // the right edge: in every proof from 256 to 70000
  RunResult r = Check();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  ASSERT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(Contains(r.err, "/log/tile/0/273.p/112: HTTP 404; the state is kept")) << r.err;
  EXPECT_EQ(ReadBytes(state_), saved);
  EXPECT_TRUE(Evidence().empty());
}

TEST_F(CheckpointCommandTest, ATileWithWrongHashesLeavesItUnchecked) {
  Serve(MemoryLog(256));
  ASSERT_EQ(Check().exit_code, 0);
  const std::string saved = ReadBytes(state_);
  MemoryLog log(257);
  Serve(log);
  std::string tile = log.Tiles().at("tile/0/001.p/1");
  tile[5] = static_cast<char>(tile[5] ^ 1);
  SetTile("tile/0/001.p/1", tile);
  RunResult r = Check();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "the log's hash tiles do not give its own checkpoint's root"))
      << r.err;

  SetTile("tile/0/001.p/1", tile + tile);  // two hashes where the tree has one
  r = Check();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "tile/0/001.p/1: tile: 64 bytes, expected 1 hashes")) << r.err;
  EXPECT_EQ(ReadBytes(state_), saved);
  EXPECT_TRUE(Evidence().empty());
}

TEST_F(CheckpointCommandTest, APartialTileGoneIsReadFromTheFullTile) {
  Serve(MemoryLog(256));
  ASSERT_EQ(Check().exit_code, 0);
  // The log has grown to 512 between serving the checkpoint of 300 and its tiles: the partial
  // tile 0/001.p/44 is gone, the full tile 0/001 begins with the same hashes.
  MemoryLog log(300);
  const std::string note = log.Note(signer_);
  log.Grow(512);
  Serve(note, log);
  RunResult r = Check();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "size 300 root ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "consistent with the saved")) << r.out;
  EXPECT_NE(std::find(tile_requests_.begin(), tile_requests_.end(), "/log/tile/0/001"),
            tile_requests_.end());
  EXPECT_EQ(ReadBytes(state_), note);
}

TEST_F(CheckpointCommandTest, AStateThatIsASymlinkOrADirectoryIsRefused) {
  Serve(MemoryLog(5));
  const fs::path target = dir_ / "elsewhere";
  std::ofstream(target) << "not a checkpoint";
  fs::create_symlink(target, dir_ / "link");
  RunResult r = Check(dir_ / "link");
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(Contains(r.err, "state file " + (dir_ / "link").string() + " is a symbolic link"))
      << r.err;
  EXPECT_EQ(ReadBytes(target), "not a checkpoint");

  fs::create_directory(dir_ / "adir");
  r = Check(dir_ / "adir");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "is not a regular file (it is a directory)")) << r.err;

  r = Check(target);  // a file that holds no checkpoint of this log
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "state file " + target.string() + ": not a checkpoint of this log"))
      << r.err;
  EXPECT_EQ(ReadBytes(target), "not a checkpoint");

  fs::create_symlink(dir_ / "victim.lock", dir_ / "state.lock");
  r = Check();
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(Contains(r.err, "state lock " + (dir_ / "state.lock").string())) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "victim.lock"));
  EXPECT_FALSE(fs::exists(state_));
  EXPECT_TRUE(server_.Requests().empty());
}

TEST_F(CheckpointCommandTest, HelpNamesTheExitCodesAndUsageErrorsExitTwo) {
  const std::string bin = Binary("audit-cli/medmij-audit").string();
  RunResult help = RunProcess({bin, "checkpoint", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(Contains(help.out, "3: SPLIT VIEW")) << help.out;
  EXPECT_TRUE(Contains(help.out, "--state FILE")) << help.out;
  RunResult missing =
      RunProcess({bin, "checkpoint", "--base-url", server_.Url(), "--vkey", vkey_.string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Contains(missing.err, "--state is required")) << missing.err;
  RunResult bad_url = RunProcess({bin, "checkpoint", "--base-url", "ftp://x", "--vkey",
                                  vkey_.string(), "--state", state_.string()});
  EXPECT_EQ(bad_url.exit_code, 2);
  EXPECT_TRUE(Contains(bad_url.err, "--base-url")) << bad_url.err;
}

}  // namespace
}  // namespace medmij::testing
