// medmij-publish-bench: the registry side of tests/bench/publish_bench.sh.
//
//   publish  --data-dir D --key K --cert C [--chain CH] [--at ISO]
//       one full publication (derive, build, validate, sign, archive), as the service does it;
//       run under /usr/bin/time by the script.
//   phases   --data-dir D --key K --cert C [--chain CH] [--at ISO]
//       the ZAL publication step by step with wall times (archiving one more version into the
//       scratch environment): what dominates.
//   archive  --data-dir D --key K --cert C [--chain CH] [--at ISO] --out-dir O [--changes N]
//       the archive's growth per one-provider change with the compactor, and the time to fetch
//       an old version (O/old.xml) (tests/bench/archive_bench.sh).
//   extract  --data-dir D --out-dir O
//       the current ZAL version: O/zal.signed.xml, O/zal.unsigned.xml, and O/zal.template.xml
//       (the signed document with DigestValue/SignatureValue blanked and an empty X509Data) for
//       the stock `xmlsec1 --sign`.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "registry/common/clock.h"
#include "registry/lists/lists.h"
#include "registry/publisher/publisher.h"
#include "registry/store/store.h"
#include "signer/signer.h"

namespace {

using namespace medmij;

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

int Fail(const Status& st) {
  std::fprintf(stderr, "medmij-publish-bench: %s\n", st.message().c_str());
  return 1;
}

// Replaces the content of the first <tag>...</tag> with `replacement` (the element kept).
bool ReplaceContent(std::string& doc, const std::string& tag, const std::string& replacement) {
  size_t open = doc.find("<" + tag + ">");
  if (open == std::string::npos) return false;
  size_t start = open + tag.size() + 2;
  size_t end = doc.find("</" + tag + ">", start);
  if (end == std::string::npos) return false;
  doc.replace(start, end - start, replacement);
  return true;
}

bool WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

struct Args {
  std::string data_dir, key, cert, chain, at, out_dir;
};

Result<Time> AtOf(const Args& a) {
  if (a.at.empty()) return ProcessClock().Now();
  return ParseTime(a.at, "--at");
}

int Publish(const Args& a) {
  auto at_r = AtOf(a);
  if (!at_r.ok()) return Fail(at_r.status());
  const Time at = *at_r;
  auto libs = signer::Libraries::Init();
  if (!libs.ok()) return Fail(libs.status());
  auto schemas = signer::SchemaSet::Load();
  if (!schemas.ok()) return Fail(schemas.status());
  auto signer = signer::Signer::Load(a.key, a.cert, a.chain, at);
  if (!signer.ok()) return Fail(signer.status());
  auto store = store::Store::Open(a.data_dir);
  if (!store.ok()) return Fail(store.status());
  publisher::Publisher pub(**store, **signer, **schemas, publisher::Options{{}, "bench"});
  publisher::Report report = pub.PublishOnce(at);
  for (const auto& l : report.lists) {
    std::printf("%-26s published=%d volgnummer=%llu %s\n", std::string(ToString(l.list)).c_str(),
                l.published ? 1 : 0, static_cast<unsigned long long>(l.volgnummer),
                l.status.ok() ? "ok" : l.status.message().c_str());
  }
  return report.ok() ? 0 : 1;
}

int Phases(const Args& a) {
  auto at_r = AtOf(a);
  if (!at_r.ok()) return Fail(at_r.status());
  const Time at = *at_r;
  auto libs = signer::Libraries::Init();
  if (!libs.ok()) return Fail(libs.status());
  auto start = std::chrono::steady_clock::now();
  auto schemas = signer::SchemaSet::Load();
  if (!schemas.ok()) return Fail(schemas.status());
  auto signer = signer::Signer::Load(a.key, a.cert, a.chain, at);
  if (!signer.ok()) return Fail(signer.status());
  std::printf("phase %-22s %9.1f ms\n", "load key + schemas", MsSince(start));
  auto store = store::Store::Open(a.data_dir);
  if (!store.ok()) return Fail(store.status());

  start = std::chrono::steady_clock::now();
  RegistryState state;
  {
    auto read = (*store)->BeginRead();
    if (!read.ok()) return Fail(read.status());
    state = (*read)->LoadState().value();
  }
  std::printf("phase %-22s %9.1f ms  (%zu providers)\n", "snapshot (LoadState)", MsSince(start),
              state.providers.size());

  start = std::chrono::steady_clock::now();
  lists::ListContent zal = lists::Derive(ListKind::kZorgaanbiederslijst, state, at);
  std::printf("phase %-22s %9.1f ms  (%zu entries, %zu bytes)\n", "derive ZAL + digest",
              MsSince(start), zal.entry_count, zal.entries_xml.size());
  start = std::chrono::steady_clock::now();
  state = RegistryState{};
  std::printf("phase %-22s %9.1f ms\n", "free snapshot", MsSince(start));

  start = std::chrono::steady_clock::now();
  std::string doc = lists::RenderTakingEntries(zal, at, 1);
  std::printf("phase %-22s %9.1f ms  (%zu bytes)\n", "render", MsSince(start), doc.size());
  const std::string unsigned_doc = doc;  // for the experiment below, not the publisher's path

  // The publisher's path: streaming validation on this thread while another digests the bytes.
  start = std::chrono::steady_clock::now();
  Status signed_ok =
      (*signer)->SignValidatedInPlace(doc, ListKind::kZorgaanbiederslijst, **schemas);
  if (!signed_ok.ok()) return Fail(signed_ok);
  std::printf("phase %-22s %9.1f ms  (%zu bytes)\n", "validate || sign", MsSince(start),
              doc.size());

  start = std::chrono::steady_clock::now();
  std::string sha = Sha256Hex(doc);
  std::printf("phase %-22s %9.1f ms\n", "sha256 of signed", MsSince(start));

  // The archive write as the publisher does it (one write transaction, fsync on commit), as a
  // version after the current one of this scratch environment.
  {
    start = std::chrono::steady_clock::now();
    auto write = (*store)->BeginWrite();
    if (!write.ok()) return Fail(write.status());
    auto current = (*write)->CurrentListVersion(ListKind::kZorgaanbiederslijst).value();
    store::ListVersion v;
    v.list = ListKind::kZorgaanbiederslijst;
    v.volgnummer = (current ? current->volgnummer : 0) + 1;
    v.tijdstempel = at;
    v.sha256 = sha;
    v.size = doc.size();
    v.content_digest = zal.digest;
    (*write)->PutListVersion(v, doc);
    auto committed = (*write)->Commit(
        store::EventMeta{at, "bench", "publish", "list:zorgaanbiederslijst", "phases"});
    if (!committed.ok()) return Fail(committed.status());
    std::printf("phase %-22s %9.1f ms\n", "archive (put + commit)", MsSince(start));
  }

  // Check of the byte digest against the DOM path (libxml2's C14N), outside the publication.
  start = std::chrono::steady_clock::now();
  auto dom_signed = (*signer)->Sign(unsigned_doc);
  if (!dom_signed.ok()) return Fail(dom_signed.status());
  std::printf("exp   %-22s %9.1f ms  (DOM + libxml2 C14N; same signed bytes: %s)\n", "sign via DOM",
              MsSince(start), *dom_signed == doc ? "yes" : "NO");
  return 0;
}

int Extract(const Args& a) {
  auto store =
      store::Store::Open(a.data_dir, store::OpenOptions{.read_only = true, .create = false});
  if (!store.ok()) return Fail(store.status());
  auto read = (*store)->BeginRead();
  if (!read.ok()) return Fail(read.status());
  auto v = (*read)->CurrentListVersion(ListKind::kZorgaanbiederslijst).value();
  if (!v) return Fail(Status::NotFound("no ZAL version archived"));
  auto bytes = (*read)->GetListBytes(ListKind::kZorgaanbiederslijst, v->volgnummer).value();
  if (!bytes) return Fail(Status::NotFound("ZAL bytes missing"));
  std::string tmpl = *bytes;
  if (!ReplaceContent(tmpl, "ds:DigestValue", "") ||
      !ReplaceContent(tmpl, "ds:SignatureValue", "") ||
      !ReplaceContent(tmpl, "ds:KeyInfo", "<ds:X509Data/>")) {
    return Fail(Status::Internal("signed ZAL lacks DigestValue, SignatureValue or KeyInfo"));
  }
  if (!WriteFile(a.out_dir + "/zal.signed.xml", *bytes) ||
      !WriteFile(a.out_dir + "/zal.unsigned.xml", signer::StripSignature(*bytes)) ||
      !WriteFile(a.out_dir + "/zal.template.xml", tmpl)) {
    return Fail(Status::IoError("cannot write into " + a.out_dir));
  }
  std::printf("extracted ZAL volgnummer %llu (%llu bytes)\n",
              static_cast<unsigned long long>(v->volgnummer),
              static_cast<unsigned long long>(v->size));
  return 0;
}

// The archive's cost per change (issue 10 point 6): a first publication, then `changes` times
// one provider's AGB code changed and published, each followed by CompactArchive as the
// service's compactor runs it; prints the map's growth per change against the ZAL's size, the
// stored size of each ZAL version, and the time to fetch the oldest delta (writing it to
// O/old.xml for the script's stock `zstd -d` beside it).
int Archive(const Args& a, int changes) {
  auto at_r = AtOf(a);
  if (!at_r.ok()) return Fail(at_r.status());
  auto libs = signer::Libraries::Init();
  if (!libs.ok()) return Fail(libs.status());
  auto schemas = signer::SchemaSet::Load();
  if (!schemas.ok()) return Fail(schemas.status());
  auto signer = signer::Signer::Load(a.key, a.cert, a.chain, *at_r);
  if (!signer.ok()) return Fail(signer.status());
  auto store = store::Store::Open(a.data_dir);
  if (!store.ok()) return Fail(store.status());
  publisher::Publisher pub(**store, **signer, **schemas, publisher::Options{{}, "bench"});
  std::vector<std::string> names;  // the first providers, in key order
  {
    auto read = (*store)->BeginRead();
    if (!read.ok()) return Fail(read.status());
    Status listed =
        (*read)->ForEachRaw(store::Table::kProviders, [&](std::string_view k, std::string_view) {
          if (names.size() < 1000) names.emplace_back(k);
        });
    if (!listed.ok()) return Fail(listed);
  }
  Time at = *at_r;
  double compact_ms = 0;  // CompactArchive's time over the measured changes
  size_t next = 0;        // the next provider in `names` to change
  // Changes providers' authorization URL until one is on the ZAL (it gets a new version), and
  // publishes after each; then re-encodes as the service's compactor would. first: publish as
  // it is.
  auto step = [&](bool first) -> Status {
    auto zal = [&]() -> Result<uint64_t> {
      MEDMIJ_ASSIGN_OR_RETURN(auto r, (*store)->BeginRead());
      MEDMIJ_ASSIGN_OR_RETURN(auto v, r->CurrentListVersion(ListKind::kZorgaanbiederslijst));
      return v ? v->volgnummer : 0;
    };
    MEDMIJ_ASSIGN_OR_RETURN(const uint64_t before, zal());
    while (true) {
      if (!first) {
        if (next == names.size()) return Status::Invalid("no provider change reaches the ZAL");
        const std::string& name = names[next++];
        MEDMIJ_ASSIGN_OR_RETURN(auto w, (*store)->BeginWrite());
        MEDMIJ_ASSIGN_OR_RETURN(auto p, w->GetProvider(name));
        if (!p) return Status::NotFound(name);
        for (auto& [id, svc] : p->services) svc.authorization_uri += "/changed";
        w->Put(*p);
        MEDMIJ_RETURN_IF_ERROR(
            w->Commit(store::EventMeta{at, "bench", "provider update", "provider:" + name, ""})
                .status());
      }
      at += std::chrono::seconds(1);
      publisher::Report report = pub.PublishOnce(at);
      for (const auto& l : report.lists) {
        if (!l.status.ok()) return Status::Internal("publication failed: " + l.status.message());
      }
      MEDMIJ_ASSIGN_OR_RETURN(const uint64_t after, zal());
      if (first || after != before) break;
    }
    const auto start = std::chrono::steady_clock::now();
    Status compacted = store::CompactArchive(**store).status();
    compact_ms += MsSince(start);
    return compacted;
  };
  for (bool first : {true, false}) {
    if (Status st = step(first); !st.ok()) return Fail(st);
  }
  auto before = (*store)->Usage();
  if (!before.ok()) return Fail(before.status());
  compact_ms = 0;
  for (int i = 1; i <= changes; ++i) {
    if (Status st = step(false); !st.ok()) return Fail(st);
  }
  auto after = (*store)->Usage();
  if (!after.ok()) return Fail(after.status());

  auto read = (*store)->BeginRead();
  if (!read.ok()) return Fail(read.status());
  auto versions = (*read)->ListVersions(ListKind::kZorgaanbiederslijst);
  if (!versions.ok() || versions->size() < 3) return Fail(Status::Internal("too few ZAL versions"));
  const uint64_t zal_size = versions->back().size;
  for (const auto& v : *versions) {
    std::string n = std::to_string(v.volgnummer);
    auto raw = (*read)->GetRaw(store::Table::kListBytes,
                               "zorgaanbiederslijst/" + std::string(20 - n.size(), '0') + n);
    if (!raw.ok() || !*raw) return Fail(Status::Internal("ZAL version bytes missing"));
    std::printf("stored ZAL %-4llu %12zu bytes (%s)\n",
                static_cast<unsigned long long>(v.volgnummer), (*raw)->size(),
                (*raw)->size() == v.size ? "whole" : "encoded");
  }
  const double per_change =
      static_cast<double>(after->used - before->used) / static_cast<double>(changes);
  std::printf("map growth per change %.0f bytes = %.3f %% of the ZAL (%llu bytes)\n", per_change,
              100.0 * per_change / static_cast<double>(zal_size),
              static_cast<unsigned long long>(zal_size));
  std::printf("re-encoding per change (background, every list that changed): %.1f ms\n",
              compact_ms / changes);
  // The oldest delta: two decodes (its keyframe, then it).
  const uint64_t old = (*versions)[1].volgnummer;
  const auto start = std::chrono::steady_clock::now();
  auto bytes = (*read)->GetListBytes(ListKind::kZorgaanbiederslijst, old);
  const double fetch_ms = MsSince(start);
  if (!bytes.ok() || !*bytes) return Fail(Status::Internal("old version does not read"));
  if (!WriteFile(a.out_dir + "/old.xml", **bytes)) return Fail(Status::IoError(a.out_dir));
  std::printf("fetch old version %llu: %.1f ms\n", static_cast<unsigned long long>(old), fetch_ms);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (medmij::Status st = medmij::InitProcessClock(); !st.ok()) {
    std::fprintf(stderr, "medmij-publish-bench: %s\n", st.message().c_str());
    return 2;
  }
  CLI::App app{"Registry side of the publication benchmark."};
  app.require_subcommand(1);
  Args a;
  for (const char* name : {"publish", "phases"}) {
    CLI::App* sub = app.add_subcommand(name);
    sub->add_option("--data-dir", a.data_dir)->required();
    sub->add_option("--key", a.key)->required();
    sub->add_option("--cert", a.cert)->required();
    sub->add_option("--chain", a.chain);
    sub->add_option("--at", a.at);
  }
  int changes = 4;
  CLI::App* archive = app.add_subcommand("archive");
  archive->add_option("--data-dir", a.data_dir)->required();
  archive->add_option("--key", a.key)->required();
  archive->add_option("--cert", a.cert)->required();
  archive->add_option("--chain", a.chain);
  archive->add_option("--at", a.at);
  archive->add_option("--out-dir", a.out_dir)->required();
  archive->add_option("--changes", changes)->check(CLI::Range(1, 1000));
  CLI::App* extract = app.add_subcommand("extract");
  extract->add_option("--data-dir", a.data_dir)->required();
  extract->add_option("--out-dir", a.out_dir)->required();
  CLI11_PARSE(app, argc, argv);
  if (app.got_subcommand("publish")) return Publish(a);
  if (app.got_subcommand("phases")) return Phases(a);
  if (app.got_subcommand("archive")) return Archive(a, changes);
  return Extract(a);
}
