// The transparency log's C2SP tlog-tiles from the real medmij-registry: hash tiles over HTTP
// recompute the signed checkpoint's root, full and partial tiles carry their caching headers and
// answer conditional requests, everything outside the checkpoint's tree is 404, and the entry
// bundles (auditors only) hold the journal's stored events, whose leaf hashes are the level-0
// tiles. The journal is `medmij-admin journal export`; the tiles are fetched like any client.
#include <sys/stat.h>

#include <map>

#include <gtest/gtest.h>

#include "registry/common/checkpoint.h"
#include "registry/common/merkle.h"
#include "registry/common/note.h"
#include "registry/common/tlog_tiles.h"
#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

constexpr const char* kOrigin = "registry.test.example/log";
constexpr const char* kToken = "tiles-auditor-token-0123456789";

class TilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() / "data";
    InitDemoRegistry(data_);
    ImportCandidates(data_, "bulk-", 300);  // more than one full level-0 tile
    key_ = dir_.path() / "log.key";
    ASSERT_EQ(
        RunCommand({"/usr/bin/openssl", "genpkey", "-algorithm", "ed25519", "-out", key_.string()})
            .exit_code,
        0);
    auto signer = note::Signer::LoadPem(key_, kOrigin);
    ASSERT_TRUE(signer.ok()) << signer.status().message();
    verifier_ = std::make_unique<note::Verifier>(signer->verifier());
    fs::path tokens = dir_.path() / "auditors";
    WriteFile(tokens, "auditor:" + Sha256Hex(kToken) + "\n");
    chmod(tokens.c_str(), 0600);
    options_.data_dir = data_;
    options_.pki = MakeDevPki(dir_.path() / "pki");
    // Published before the service starts: its first checkpoint is then the one it serves
    // until the next commit (a tile request never races a newer checkpoint).
    PublishWithAdmin(data_, options_.pki);
    options_.log_key = key_;
    options_.log_origin = kOrigin;
    options_.auditor_tokens_file = tokens;
  }

  std::vector<std::string> Journal() const {
    return Lines(Admin(data_, {"journal", "export"}).out);
  }

  // The served checkpoint once it covers the whole journal (the service's own publications
  // append events too), verified with the log key; fails the test when that does not happen.
  checkpoint::Checkpoint WaitForCheckpoint(const Service& service) {
    checkpoint::Checkpoint c;
    bool ok = WaitFor(
        [&] {
          HttpResponse r = HttpGet(service.Url("/log/checkpoint"));
          if (r.status != 200) return false;
          auto text = note::Open(r.body, *verifier_);
          EXPECT_TRUE(text.ok()) << text.status().message();
          if (!text.ok()) return false;
          auto parsed = checkpoint::Parse(*text);
          EXPECT_TRUE(parsed.ok()) << parsed.status().message();
          if (!parsed.ok()) return false;
          c = *parsed;
          return c.size == Journal().size();
        },
        std::chrono::seconds(10));
    EXPECT_TRUE(ok) << service.Stderr();
    return c;
  }

  HttpResponse Tile(const Service& service, const tiles::Tile& tile,
                    const std::vector<std::string>& headers = {}) const {
    return HttpGet(service.Url("/log/" + tiles::Path(tile)), headers);
  }

  // The root of the tree of `size` leaves from the served hash tiles alone: every complete
  // subtree the RFC 6962 root needs is read from the tile that holds it.
  merkle::Hash RootFromTiles(const Service& service, uint64_t size) {
    std::map<std::string, std::vector<merkle::Hash>> fetched;
    auto subtree = [&](int level, uint64_t index) -> Result<merkle::Hash> {
      tiles::Location loc = tiles::Locate(level, index, size);
      const std::string path = tiles::Path(loc.tile);
      if (!fetched.contains(path)) {
        HttpResponse r = Tile(service, loc.tile);
        if (r.status != 200) return Status::NotFound(path + ": " + std::to_string(r.status));
        MEDMIJ_ASSIGN_OR_RETURN(fetched[path], tiles::SplitHashes(r.body, loc.tile.width));
      }
      return tiles::SubtreeRoot(fetched[path], loc.first, loc.count);
    };
    auto root = merkle::TreeHash(size, subtree);
    EXPECT_TRUE(root.ok()) << root.status().message();
    return root.ok() ? *root : merkle::Hash{};
  }

  TempDir dir_;
  fs::path data_, key_;
  std::unique_ptr<note::Verifier> verifier_;
  ServiceOptions options_;
};

TEST_F(TilesTest, HashTilesRecomputeTheCheckpointRootAndCarryCachingHeaders) {
  Service service(dir_.path(), options_);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  const checkpoint::Checkpoint c = WaitForCheckpoint(service);
  ASSERT_GT(c.size, 257u);  // a partial level-0 tile of width 2 or more
  ASSERT_LT(c.size, 512u);
  EXPECT_EQ(RootFromTiles(service, c.size), c.root);

  // The level-0 tiles are the journal's leaf hashes.
  const std::vector<std::string> journal = Journal();
  const tiles::Tile full{false, 0, 0, 256};
  HttpResponse r = Tile(service, full);
  ASSERT_EQ(r.status, 200);
  auto hashes = tiles::SplitHashes(r.body, 256);
  ASSERT_TRUE(hashes.ok());
  for (size_t i = 0; i < 256; ++i) EXPECT_EQ((*hashes)[i], merkle::LeafHash(journal[i])) << i;
  EXPECT_EQ(r.header("content-type"), "application/octet-stream");
  EXPECT_EQ(r.header("cache-control"), "public, max-age=31536000, immutable");
  const std::string etag = r.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"') << "a strong ETag";
  HttpResponse again = Tile(service, full, {"If-None-Match: " + etag});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.body, "");
  EXPECT_EQ(again.header("etag"), etag);
  EXPECT_EQ(HttpGet(service.Url("/log/tile/0/000"), {}, "HEAD").status, 200);

  const tiles::Tile partial{false, 0, 1, c.size - 256};
  HttpResponse p = Tile(service, partial);
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(p.body.size(), 32 * (c.size - 256));
  EXPECT_EQ(p.header("cache-control"), "public, max-age=5");
  EXPECT_EQ(p.header("content-type"), "application/octet-stream");
  EXPECT_EQ(Tile(service, partial, {"If-None-Match: " + p.header("etag")}).status, 304);
  HttpResponse level1 = Tile(service, tiles::Tile{false, 1, 0, 1});
  ASSERT_EQ(level1.status, 200);
  auto level1_hashes = tiles::SplitHashes(level1.body, 1);
  ASSERT_TRUE(level1_hashes.ok()) << level1_hashes.status().message();
  EXPECT_EQ(level1_hashes->front(), tiles::SubtreeRoot(*hashes, 0, 256));
  EXPECT_EQ(level1.header("cache-control"), "public, max-age=5");

  // A narrower partial tile (an older tree's) is the first hashes of the wider one, and a full
  // tile's first hashes are its partial tiles.
  const uint64_t w = c.size - 256;
  for (const tiles::Tile& narrower : {tiles::Tile{false, 0, 1, w - 1}, tiles::Tile{false, 0, 1, 1},
                                      tiles::Tile{false, 0, 0, 255}}) {
    HttpResponse n = Tile(service, narrower);
    ASSERT_EQ(n.status, 200) << tiles::Path(narrower);
    const std::string& wider = narrower.index == 0 ? r.body : p.body;
    EXPECT_EQ(n.body, wider.substr(0, 32 * narrower.width)) << tiles::Path(narrower);
  }
  // Only the tiles of the checkpoint's tree exist.
  for (const tiles::Tile& absent :
       {tiles::Tile{false, 0, 1, w + 1}, tiles::Tile{false, 0, 1, 256}, tiles::Tile{false, 0, 2, 1},
        tiles::Tile{false, 1, 0, 256}, tiles::Tile{false, 1, 0, 2}, tiles::Tile{false, 2, 0, 1}}) {
    HttpResponse a = Tile(service, absent);
    EXPECT_EQ(a.status, 404) << tiles::Path(absent);
    EXPECT_EQ(a.body, "no such tile in the latest checkpoint's tree\n") << tiles::Path(absent);
  }
  // Paths that are not canonical C2SP tile paths name no tile.
  for (const char* bad :
       {"/log/tile/0/0", "/log/tile/0/0000", "/log/tile/0/x000/000", "/log/tile/0/001/000",
        "/log/tile/00/000", "/log/tile/64/000", "/log/tile/-1/000", "/log/tile/0/000.p/0",
        "/log/tile/0/000.p/256", "/log/tile/0/000.p/07", "/log/tile/0/000.p/", "/log/tile/0/",
        "/log/tile/0/x001", "/log/tile/8/0/000", "/log/tile/0/00a"}) {
    HttpResponse a = HttpGet(service.Url(bad));
    EXPECT_EQ(a.status, 404) << bad;
    EXPECT_EQ(a.body, std::string(tiles::kNotATile) + "\n") << bad;
  }
  EXPECT_EQ(HttpGet(service.Url("/log/tile/0/000"), {}, "POST").status, 405);
  EXPECT_EQ(HttpGet(service.Url("/log/tile/0/000?x=1")).status, 400);
  // Entry bundles are never public.
  EXPECT_EQ(HttpGet(service.Url("/log/tile/entries/000")).status, 404);
  EXPECT_EQ(HttpGet(service.Url("/log/tile/entries/000"),
                    {"Authorization: Bearer " + std::string(kToken)})
                .status,
            404);
  EXPECT_EQ(service.Stop(), 0) << service.Stderr();
}

TEST_F(TilesTest, EntryBundlesHoldTheStoredEventsForAuditorsOnly) {
  Service service(dir_.path(), options_);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  const checkpoint::Checkpoint c = WaitForCheckpoint(service);
  ASSERT_GT(c.size, 256u);
  const std::vector<std::string> journal = Journal();
  const std::string bearer = "Authorization: Bearer " + std::string(kToken);

  EXPECT_EQ(HttpGet(service.Url("/audit/log/tile/entries/000")).status, 401);
  EXPECT_EQ(
      HttpGet(service.Url("/audit/log/tile/entries/000"), {"Authorization: Bearer nope"}).status,
      401);

  HttpResponse full = HttpGet(service.Url("/audit/log/tile/entries/000"), {bearer});
  ASSERT_EQ(full.status, 200) << full.body;
  EXPECT_EQ(full.header("content-type"), "application/octet-stream");
  EXPECT_EQ(full.header("cache-control"), "no-store");
  auto entries = tiles::DecodeEntries(full.body, 256);
  ASSERT_TRUE(entries.ok()) << entries.status().message();
  EXPECT_EQ(*entries, std::vector<std::string>(journal.begin(), journal.begin() + 256));

  const uint64_t w = c.size - 256;
  const std::string partial_path = "/audit/log/" + tiles::Path(tiles::Tile{true, 0, 1, w});
  HttpResponse partial = HttpGet(service.Url(partial_path), {bearer});
  ASSERT_EQ(partial.status, 200) << partial_path << " " << partial.body;
  auto rest = tiles::DecodeEntries(partial.body, w);
  ASSERT_TRUE(rest.ok()) << rest.status().message();
  EXPECT_EQ(*rest, std::vector<std::string>(journal.begin() + 256, journal.begin() + c.size));
  // Their leaf hashes are the level-0 hash tile.
  HttpResponse hashes = HttpGet(service.Url("/log/" + tiles::Path(tiles::Tile{false, 0, 1, w})));
  ASSERT_EQ(hashes.status, 200);
  std::string leaves;
  for (const std::string& e : *rest) leaves += tiles::JoinHashes({merkle::LeafHash(e)});
  EXPECT_EQ(hashes.body, leaves);

  // An older tree's partial bundle: the first events of the wider one.
  HttpResponse narrower = HttpGet(service.Url("/audit/log/tile/entries/000.p/3"), {bearer});
  ASSERT_EQ(narrower.status, 200) << narrower.body;
  auto first3 = tiles::DecodeEntries(narrower.body, 3);
  ASSERT_TRUE(first3.ok()) << first3.status().message();
  EXPECT_EQ(*first3, std::vector<std::string>(journal.begin(), journal.begin() + 3));
  for (const std::string& absent :
       std::vector<std::string>{"/audit/log/tile/entries/001", "/audit/log/tile/entries/002",
                                "/audit/log/tile/entries/001.p/" + std::to_string(w + 1)}) {
    HttpResponse a = HttpGet(service.Url(absent), {bearer});
    EXPECT_EQ(a.status, 404) << absent;
    EXPECT_EQ(a.body, "no such entry bundle in the latest checkpoint's tree\n") << absent;
  }
  for (const char* bad : {"/audit/log/tile/entries/1", "/audit/log/tile/entries/000.p/256",
                          "/audit/log/tile/0/000", "/audit/log/tile/entries/x000/001"}) {
    HttpResponse a = HttpGet(service.Url(bad), {bearer});
    EXPECT_EQ(a.status, 404) << bad;
  }
  EXPECT_EQ(HttpGet(service.Url("/audit/log/tile/entries/000"), {bearer}, "POST").status, 405);
  EXPECT_EQ(HttpGet(service.Url("/audit/log/tile/entries/000?from=1"), {bearer}).status, 400);
  EXPECT_EQ(service.Stop(), 0) << service.Stderr();
}

// With [publish] export_dir the log is written there for nginx: the checkpoint and every tile
// of its tree at the C2SP paths, full tiles once, never an entry bundle.
TEST_F(TilesTest, TheExportDirHoldsTheCheckpointAndItsTiles) {
  options_.export_dir = dir_.path() / "export";
  fs::create_directories(options_.export_dir);
  const fs::path log = options_.export_dir / "log";
  auto service = std::make_unique<Service>(dir_.path(), options_);
  ASSERT_TRUE(service->Start()) << service->Stderr();
  // The export holds the served checkpoint (written after its tiles) and the tiles it serves.
  auto expect_exported = [&](const Service& s) {
    const checkpoint::Checkpoint c = WaitForCheckpoint(s);
    std::string served;
    EXPECT_TRUE(WaitFor([&] {
      served = HttpGet(s.Url("/log/checkpoint")).body;
      return fs::exists(log / "checkpoint") && ReadFile(log / "checkpoint") == served;
    })) << s.Stderr();
    const uint64_t w = c.size % 256;
    if (c.size < 257 || c.size >= 512) {
      ADD_FAILURE() << "the test expects one full tile and a partial one, not " << c.size;
      return c;
    }
    for (const tiles::Tile& t : {tiles::Tile{false, 0, 0, 256}, tiles::Tile{false, 0, 1, w},
                                 tiles::Tile{false, 1, 0, c.size / 256}}) {
      EXPECT_TRUE(fs::exists(log / tiles::Path(t))) << tiles::Path(t);
      EXPECT_EQ(ReadFile(log / tiles::Path(t)), Tile(s, t).body) << tiles::Path(t);
      EXPECT_EQ(fs::status(log / tiles::Path(t)).permissions() & fs::perms::others_read,
                fs::perms::others_read);
    }
    return c;
  };
  const checkpoint::Checkpoint first = expect_exported(*service);
  EXPECT_FALSE(fs::exists(log / "tile/entries"));
  {
    // deploy/nginx serves them from the export dir with the service's caching headers.
    LetNginxRead(options_.export_dir);
    NginxFront nginx(dir_.path(), options_.export_dir, service->port());
    ASSERT_TRUE(nginx.Start()) << nginx.ErrorLog();
    HttpResponse full = HttpGet(nginx.Url("/log/tile/0/000"));
    EXPECT_EQ(full.status, 200) << nginx.ErrorLog();
    EXPECT_EQ(full.body, ReadFile(log / "tile/0/000"));
    EXPECT_EQ(full.header("cache-control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(full.header("content-type"), "application/octet-stream");
    const std::string partial = "/log/" + tiles::Path(tiles::Tile{false, 0, 1, first.size - 256});
    HttpResponse p = HttpGet(nginx.Url(partial));
    EXPECT_EQ(p.status, 200);
    EXPECT_EQ(p.body, ReadFile(log / partial.substr(5)));
    EXPECT_EQ(p.header("cache-control"), "public, max-age=5");
    HttpResponse c = HttpGet(nginx.Url("/log/checkpoint"));
    EXPECT_EQ(c.body, ReadFile(log / "checkpoint"));
    EXPECT_EQ(c.header("cache-control"), "public, max-age=5");
    // What the export dir does not hold is the service's answer.
    EXPECT_EQ(HttpGet(nginx.Url("/log/tile/0/009")).status, 404);
    EXPECT_EQ(HttpGet(nginx.Url("/log/tile/entries/000")).status, 404);
  }
  auto inode = [&](const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat((log / path).c_str(), &st), 0) << path;
    return st.st_ino;
  };
  const ino_t full = inode("tile/0/000");

  // A commit (published before the restart, so the checkpoint stands still while the test
  // reads): the next checkpoint's tiles are added; what is there and right is not rewritten.
  EXPECT_EQ(service->Stop(), 0) << service->Stderr();
  Admin(data_, {"participant", "suspend", "deenigeechtepgo", "--reason", "incident 7"});
  PublishWithAdmin(data_, options_.pki);
  service = std::make_unique<Service>(dir_.path(), options_);
  ASSERT_TRUE(service->Start()) << service->Stderr();
  const checkpoint::Checkpoint second = expect_exported(*service);
  EXPECT_GT(second.size, first.size);
  EXPECT_TRUE(fs::exists(log / tiles::Path(tiles::Tile{false, 0, 1, first.size - 256})))
      << "an older partial tile stays for clients holding the older checkpoint";
  EXPECT_EQ(inode("tile/0/000"), full);
  EXPECT_EQ(service->Stop(), 0) << service->Stderr();
}

// A client holding an older checkpoint still reads its tree from the live service after the
// log grew: its partial tiles are served (the first hashes of the wider ones), and its root is
// recomputed from the tiles alone.
TEST_F(TilesTest, AnOlderCheckpointsPartialTilesAreStillServed) {
  Service service(dir_.path(), options_);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  const checkpoint::Checkpoint first = WaitForCheckpoint(service);
  ASSERT_GT(first.size, 256u);
  const tiles::Tile old_partial{false, 0, 1, first.size - 256};
  HttpResponse before = Tile(service, old_partial);
  ASSERT_EQ(before.status, 200) << before.body;

  Admin(data_, {"participant", "suspend", "deenigeechtepgo", "--reason", "incident 7"});
  const checkpoint::Checkpoint second = WaitForCheckpoint(service);
  ASSERT_GT(second.size, first.size);
  ASSERT_LT(second.size, 512u);
  HttpResponse after = Tile(service, old_partial);
  ASSERT_EQ(after.status, 200) << tiles::Path(old_partial) << ": " << after.body;
  EXPECT_EQ(after.body, before.body);
  EXPECT_EQ(after.header("cache-control"), "public, max-age=5");
  HttpResponse wider = Tile(service, tiles::Tile{false, 0, 1, second.size - 256});
  ASSERT_EQ(wider.status, 200);
  EXPECT_EQ(wider.body.substr(0, before.body.size()), before.body);
  EXPECT_EQ(RootFromTiles(service, first.size), first.root);
  EXPECT_EQ(RootFromTiles(service, second.size), second.root);
  // Still nothing beyond the latest tree.
  EXPECT_EQ(Tile(service, tiles::Tile{false, 0, 1, second.size - 256 + 1}).status, 404);
  const std::string bearer = "Authorization: Bearer " + std::string(kToken);
  HttpResponse bundle =
      HttpGet(service.Url("/audit/log/" + tiles::Path(tiles::Tile{true, 0, 1, first.size - 256})),
              {bearer});
  ASSERT_EQ(bundle.status, 200) << bundle.body;
  const std::vector<std::string> journal = Journal();
  auto events = tiles::DecodeEntries(bundle.body, first.size - 256);
  ASSERT_TRUE(events.ok()) << events.status().message();
  EXPECT_EQ(*events, std::vector<std::string>(journal.begin() + 256, journal.begin() + first.size));
  EXPECT_EQ(service.Stop(), 0) << service.Stderr();
}

TEST_F(TilesTest, WithoutALogKeyThereAreNoTiles) {
  options_.log_key.clear();
  Service service(dir_.path(), options_);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  EXPECT_EQ(HttpGet(service.Url("/log/checkpoint")).status, 404);
  EXPECT_EQ(HttpGet(service.Url("/log/tile/0/000")).status, 404);
  EXPECT_EQ(HttpGet(service.Url("/audit/log/tile/entries/000"),
                    {"Authorization: Bearer " + std::string(kToken)})
                .status,
            404);
  EXPECT_EQ(service.Stop(), 0) << service.Stderr();
}

// The auditors' tool against the real log: `medmij-audit checkpoint` trusts the first
// checkpoint it sees, then proves each newer one consistent from the service's own hash tiles
// (across the full level-0 tile and into the partial one), and says so.
TEST_F(TilesTest, MedmijAuditCheckpointFollowsTheRealLog) {
  const fs::path vkey = dir_.path() / "log.vkey";
  WriteFile(vkey, verifier_->ToString() + "\n");
  const fs::path state = dir_.path() / "registry.checkpoint";
  Service service(dir_.path(), options_);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  auto audit = [&] {
    return RunCommand({(fs::path(MEDMIJ_BINARY_DIR) / "audit-cli" / "medmij-audit").string(),
                       "checkpoint", "--base-url", service.Url(""), "--vkey", vkey.string(),
                       "--state", state.string()});
  };
  const checkpoint::Checkpoint first = WaitForCheckpoint(service);
  auto r = audit();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(state), HttpGet(service.Url("/log/checkpoint")).body);

  Admin(data_, {"participant", "suspend", "deenigeechtepgo", "--reason", "incident 7"});
  const checkpoint::Checkpoint second = WaitForCheckpoint(service);
  ASSERT_GT(second.size, first.size);
  r = audit();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("consistent"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(ReadFile(state), HttpGet(service.Url("/log/checkpoint")).body);
  EXPECT_EQ(service.Stop(), 0) << service.Stderr();
}

}  // namespace
}  // namespace medmij::testing
