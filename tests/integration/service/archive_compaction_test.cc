// The real service re-encodes older archived versions (keyframes and deltas) after publishing,
// and every version stays fetchable byte for byte, also by the CLI after the service stopped.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "registry/store/archive_encoding.h"
#include "registry/store/store.h"
#include "tests/integration/service/harness.h"

namespace medmij::testing {
namespace {

// The value of an unlabelled sample `name` in a Prometheus text body, or -1.
long long Metric(const std::string& body, const std::string& name) {
  const std::string line = "\n" + name + " ";
  size_t at = body.find(line);
  if (at == std::string::npos) return -1;
  return std::stoll(body.substr(at + line.size()));
}

TEST(ArchiveCompactionTest, OlderVersionsAreReencodedAndEveryVersionStaysFetchableByteForByte) {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  InitDemoRegistry(data);
  ServiceOptions o;
  o.data_dir = data;
  o.pki = MakeDevPki(dir.path() / "pki");
  Service service(dir.path(), o);
  ASSERT_TRUE(service.Start()) << service.Stderr();
  ASSERT_TRUE(WaitFor([&] { return HttpGet(service.Url("/MedMij_Whitelist.xml")).status == 200; }))
      << service.Stderr();

  // Each version as served while it was current, signed and strict.
  std::map<uint64_t, std::pair<std::string, std::string>> served;
  auto keep_current = [&] {
    std::string signed_form = HttpGet(service.Url("/signed/MedMij_Whitelist.xml")).body;
    std::string strict = HttpGet(service.Url("/MedMij_Whitelist.xml")).body;
    ASSERT_EQ(Volgnummer(signed_form), Volgnummer(strict));
    served[Volgnummer(signed_form)] = {signed_form, strict};
  };
  keep_current();
  for (int i = 0; i < 4; ++i) {
    const uint64_t before = served.rbegin()->first;
    Admin(data, {"node", "add", "xisbridge", Cat("node-", std::to_string(i), ".xisbridge.net")});
    ASSERT_TRUE(WaitFor([&] {
      return Volgnummer(HttpGet(service.Url("/signed/MedMij_Whitelist.xml")).body) == before + 1;
    })) << service.Stderr();
    keep_current();
  }
  ASSERT_EQ(served.size(), 5u);

  // The compactor runs after each publication; the four older Whitelist versions get re-encoded.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Metric(HttpGet(service.Url("/metrics")).body,
                      "medmij_archive_versions_recoded_total") >= 4;
      },
      std::chrono::seconds(20)))
      << HttpGet(service.Url("/metrics")).body << service.Stderr();
  const std::string metrics = HttpGet(service.Url("/metrics")).body;
  EXPECT_GT(Metric(metrics, "medmij_archive_bytes_saved_total"), 0);
  EXPECT_EQ(Metric(metrics, "medmij_archive_compaction_failures_total"), 0);
  EXPECT_GT(Metric(metrics, "medmij_store_map_used_bytes"), 0);
  EXPECT_GT(Metric(metrics, "medmij_store_map_size_bytes"),
            Metric(metrics, "medmij_store_map_used_bytes"));
  auto health = nlohmann::json::parse(HttpGet(service.Url("/healthz")).body);
  EXPECT_EQ(health["storage"]["status"], "ok") << health.dump();
  EXPECT_EQ(health["storage"]["archive_compaction"], "ok");

  for (const auto& [n, forms] : served) {
    const std::string base = Cat("/lists/whitelist/versions/", std::to_string(n), ".xml");
    HttpResponse signed_form = HttpGet(service.Url(base));
    ASSERT_EQ(signed_form.status, 200) << n;
    EXPECT_EQ(signed_form.body, forms.first) << "version " << n;
    EXPECT_EQ(signed_form.header("etag"), Cat("\"", Sha256Hex(forms.first), "\""));
    EXPECT_EQ(HttpGet(service.Url(base + "?signed=false")).body, forms.second) << n;
  }
  // A publication after the re-encoding still starts from the right current version.
  const uint64_t last = served.rbegin()->first;
  Admin(data, {"node", "add", "xisbridge", "node-last.xisbridge.net"});
  ASSERT_TRUE(WaitFor([&] {
    return Volgnummer(HttpGet(service.Url("/signed/MedMij_Whitelist.xml")).body) == last + 1;
  })) << service.Stderr();
  ASSERT_EQ(service.Stop(), 0) << service.Stderr();

  // Offline: the older versions are stored encoded, the newest whole, and the journal, the
  // replay and the CLI agree with the archive.
  {
    auto store = store::Store::Open(data, store::OpenOptions{.read_only = true});
    ASSERT_TRUE(store.ok()) << store.status().message();
    auto read = (*store)->BeginRead().value();
    for (const auto& [n, forms] : served) {
      const std::string digits = std::to_string(n);
      auto raw = read->GetRaw(store::Table::kListBytes,
                              Cat("whitelist/", std::string(20 - digits.size(), '0'), digits));
      ASSERT_TRUE(raw.ok() && raw->has_value()) << n;
      EXPECT_TRUE(store::archive::IsEncoded(**raw)) << "version " << n;
      EXPECT_EQ(read->GetListBytes(ListKind::kWhitelist, n).value().value(), forms.first);
    }
    auto newest = read->CurrentListVersion(ListKind::kWhitelist).value().value();
    EXPECT_FALSE(store::archive::IsEncoded(
        read->GetListBytes(ListKind::kWhitelist, newest.volgnummer).value().value()));
  }
  Admin(data, {"journal", "verify"});
  Admin(data, {"check"});
}

}  // namespace
}  // namespace medmij::testing
