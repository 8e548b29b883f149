#include "tests/integration/fetch/fetch_fixture.h"

namespace medmij::testing {

std::string FileName(ListKind list) {
  return std::string(PublishedFileName(list));
}

std::map<std::string, FileFacts> Snapshot(const fs::path& dir) {
  std::map<std::string, FileFacts> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    struct stat st {};
    if (lstat(e.path().c_str(), &st) != 0) continue;
    FileFacts f;
    f.inode = st.st_ino;
    f.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    f.mode = st.st_mode;
    // A directory's times change with its entries: compared through the entries themselves.
    if (S_ISREG(st.st_mode)) {
      f.bytes = ReadFile(e.path());
      f.ctime_ns = int64_t{st.st_ctim.tv_sec} * 1'000'000'000 + st.st_ctim.tv_nsec;
    } else {
      f.mtime_ns = 0;
    }
    out[fs::relative(e.path(), dir).string()] = std::move(f);
  }
  return out;
}

void FetchTest::SetUp() {
  data_ = dir_ / "data";
  exported_ = dir_ / "export";
  out_ = dir_ / "out";
  state_ = dir_ / "fetch-state.json";
  metrics_ = dir_ / "medmij_fetch.prom";
  fs::create_directories(exported_);
  fs::create_directories(out_);
  LetNginxRead(exported_);
  InitDemoRegistry(data_);
  pki_ = MakeDevPki(dir_ / "pki");
  ServiceOptions o;
  o.data_dir = data_;
  o.pki = pki_;
  o.export_dir = exported_;
  service_ = std::make_unique<Service>(dir_.path(), o);
  ASSERT_TRUE(service_->Start()) << service_->Stderr();
  const bool exported = WaitFor([&] {
    for (ListKind k : kAllLists) {
      if (!fs::exists(exported_ / FileName(k)) || !fs::exists(exported_ / "signed" / FileName(k))) {
        return false;
      }
    }
    return true;
  });
  ASSERT_TRUE(exported) << service_->Stderr();
  nginx_ = std::make_unique<NginxFront>(dir_.path(), exported_, service_->port());
  ASSERT_TRUE(nginx_->Start()) << nginx_->ErrorLog();
}

void FetchTest::TearDown() {
  nginx_.reset();
  if (service_) {
    EXPECT_EQ(service_->Stop(), 0) << service_->Stderr();
  }
}

RunResult FetchTest::Fetch(const std::vector<std::string>& args, const std::string& base,
                           const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {Binary("fetch/medmij-fetch").string(),
                                   "--base-url",
                                   base.empty() ? nginx_->Url("") : base,
                                   "--trust",
                                   pki_.ca.string(),
                                   "--out",
                                   out_.string(),
                                   "--state",
                                   state_.string(),
                                   "--metrics",
                                   metrics_.string(),
                                   "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> e = env;
  e.emplace("no_proxy", "*");  // loopback only, whatever the machine's proxy settings
  return RunProcess(argv, "", e, 120);
}

json FetchTest::Doc(const RunResult& r) {
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "stdout: " << r.out << "\nstderr: " << r.err;
  EXPECT_TRUE(j.is_object()) << r.out;
  return j.is_object() ? j : json::object();
}

json FetchTest::Entry(const json& doc, ListKind list) {
  if (doc.contains("lists")) {
    for (const json& e : doc["lists"]) {
      if (e["list"] == std::string(ToString(list))) return e;
    }
  }
  ADD_FAILURE() << "no entry for " << ToString(list) << " in " << doc.dump();
  return json::object();
}

json FetchTest::State() const {
  return json::parse(ReadFile(state_));
}

std::string FetchTest::Metrics() const {
  return ReadFile(metrics_);
}

std::string FetchTest::ServedSigned(ListKind list) const {
  HttpResponse r = HttpGet(service_->Url("/signed/" + FileName(list)));
  EXPECT_EQ(r.status, 200);
  return r.body;
}

std::string FetchTest::ServedStrict(ListKind list) const {
  HttpResponse r = HttpGet(service_->Url(std::string("/").append(FileName(list))));
  EXPECT_EQ(r.status, 200);
  return r.body;
}

uint64_t FetchTest::ChangeWhitelist(const std::string& hostname) {
  const uint64_t before =
      Volgnummer(ReadFile(exported_ / "signed" / FileName(ListKind::kWhitelist)));
  Admin(data_, {"node", "add", "deenigeechtepgo", hostname});
  uint64_t now = before;
  EXPECT_TRUE(WaitFor(
      [&] {
        now = Volgnummer(ReadFile(exported_ / "signed" / FileName(ListKind::kWhitelist)));
        return now == before + 1 &&
               Volgnummer(ReadFile(exported_ / FileName(ListKind::kWhitelist))) == now;
      },
      std::chrono::seconds(10)))
      << "Volgnummer " << before << " before, " << now << " after\n"
      << service_->Stderr();
  return now;
}

}  // namespace medmij::testing
