#include "registry/publisher/publisher.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

#include "registry/common/atomic_file.h"
#include "registry/common/sha256.h"
#include "registry/domain/policy.h"
#include "registry/lists/lists.h"

namespace medmij::publisher {
namespace {

// How often a list is re-rendered and re-signed when another process archives a different
// version of it between our snapshot and our write transaction.
constexpr int kMaxAttempts = 3;

// Writes `bytes` to dir/name atomically (registry/common/atomic_file.h), readable by the web
// server serving the export directory, with `mtime` as its modification time so that the web
// server sends the version's Tijdstempel as Last-Modified, as the service does.
Status WriteAtomically(const std::filesystem::path& dir, std::string_view name,
                       std::string_view bytes, Time mtime) {
  return WriteFileAtomically(dir / std::string(name), bytes,
                             AtomicWriteOptions{.mode = 0644, .replace = true, .mtime = mtime})
      .WithContext("export");
}

}  // namespace

bool Report::ok() const {
  for (const auto& l : lists) {
    if (!l.status.ok()) return false;
  }
  return true;
}

Publisher::Publisher(store::Store& store, const signer::Signer& signer,
                     const signer::SchemaSet& schemas, Options options)
    : incremental_(options.lists),
      store_(store),
      signer_(signer),
      schemas_(schemas),
      options_(std::move(options)) {}

Report Publisher::PublishOnce(Time now) {
  Report report;
  report.at = now;
  // The lists this publisher publishes, as indexes into kAllLists; outcome[i] is report.lists'
  // entry of kAllLists[i].
  std::vector<size_t> active;
  for (size_t i = 0; i < std::size(kAllLists); ++i) {
    if (!options_.lists.test(static_cast<size_t>(kAllLists[i]))) continue;
    active.push_back(i);
    ListOutcome outcome;
    outcome.list = kAllLists[i];
    report.lists.push_back(std::move(outcome));
  }
  std::array<ListOutcome*, std::size(kAllLists)> outcomes{};
  for (size_t n = 0; n < active.size(); ++n) outcomes[active[n]] = &report.lists[n];
  auto fail_all = [&](const Status& st) {
    for (auto& l : report.lists) l.status = st;
    return report;
  };

  // One snapshot for all lists; the read transaction ends before any rendering or signing so
  // that it does not pin old pages while we work.
  std::array<std::string, std::size(kAllLists)> digests;
  std::array<std::optional<store::ListVersion>, std::size(kAllLists)> current;
  // The current version carries other certificates than ours: re-sign it (a key roll).
  std::array<bool, std::size(kAllLists)> new_certificate{};
  {
    auto read = store_.BeginRead();
    if (!read.ok()) return fail_all(read.status().WithContext("publish: snapshot"));
    if (!options_.incremental) incremental_.Invalidate();
    auto updated = incremental_.Update(**read, now);
    if (!updated.ok()) return fail_all(updated.status().WithContext("publish"));
    report.derivation = std::move(updated).value();
    for (size_t i : active) {
      auto version = (*read)->CurrentListVersion(kAllLists[i]);
      if (!version.ok()) return fail_all(version.status().WithContext("publish"));
      current[i] = std::move(version).value();
      if (current[i]) new_certificate[i] = !CarriesOurCertificates(i, **read, *current[i]);
    }
  }
  report.next_wakeup = incremental_.NextStandingChange();
  for (size_t i : active) {
    digests[i] = incremental_.Digest(kAllLists[i]);
    if (current[i]) outcomes[i]->volgnummer = current[i]->volgnummer;
  }

  // Whole seconds: the Tijdstempel as written in the list, and Last-Modified.
  const Time tijdstempel = FloorToSecond(now);
  auto defer = [&](ListOutcome& outcome, const store::ListVersion& current_version) {
    outcome.deferred = true;
    outcome.volgnummer = current_version.volgnummer;
    const Time next = std::max(current_version.tijdstempel, tijdstempel) + std::chrono::seconds(1);
    if (!report.next_wakeup || next < *report.next_wakeup) report.next_wakeup = next;
  };
  const Status usable = signer_.CheckUsableAt(now);
  for (size_t i : active) {
    const ListKind list = kAllLists[i];
    ListOutcome& outcome = *outcomes[i];
    const std::string& digest = digests[i];
    const std::string name(ToString(list));
    auto failed = [&](const Status& st) { outcome.status = st.WithContext("publish " + name); };

    const bool same_content = current[i] && current[i]->content_digest == digest;
    if (same_content && !new_certificate[i]) continue;
    if (current[i] && current[i]->tijdstempel >= tijdstempel) {
      defer(outcome, *current[i]);
      continue;
    }
    if (!usable.ok()) {
      failed(usable);
      continue;
    }
    uint64_t base = current[i] ? current[i]->volgnummer : 0;
    // The entries joined into one buffer with room for the head and the signature; the
    // document takes it over (no further copy of a list that reaches 150 MB at 100 000
    // providers) and is signed in place.
    lists::ListContent content = incremental_.Content(list);
    std::string document = lists::RenderTakingEntries(content, tijdstempel, base + 1);
    // Validation, then the signature: of the changed entries and the head when every other
    // entry was validated before (incremental.h), else of the whole document.
    auto sign_only = [&](uint64_t volgnummer) -> Status {
      if (options_.incremental && incremental_.Validated(list) &&
          incremental_.CheckUnique(list).ok()) {
        const std::string probe =
            lists::Render(incremental_.PendingValidation(list), tijdstempel, volgnummer);
        MEDMIJ_RETURN_IF_ERROR(schemas_.Validate(list, probe).WithContext("changed entries"));
        if (signer_.SignPlainInPlace(document, list).ok()) return Status::Ok();
      }
      return signer_.SignValidatedInPlace(document, list, schemas_);
    };
    auto sign = [&](uint64_t volgnummer) -> Status {
      MEDMIJ_RETURN_IF_ERROR(sign_only(volgnummer));
      if (options_.self_check == nullptr) return Status::Ok();
      return options_.self_check->Check(document, list, now);
    };
    for (int attempt = 1;; ++attempt) {
      if (Status st = sign(base + 1); !st.ok()) {
        failed(st);
        break;
      }
      incremental_.MarkValidated(list);
      auto write = store_.BeginWrite();
      if (!write.ok()) {
        failed(write.status());
        break;
      }
      // Another process may have published since our snapshot: decide inside the writer lock.
      auto read_current = (*write)->CurrentListVersion(list);
      if (!read_current.ok()) {
        failed(read_current.status());
        break;
      }
      const std::optional<store::ListVersion>& now_current = *read_current;
      if (now_current && now_current->content_digest == digest &&
          CarriesOurCertificates(i, **write, *now_current)) {
        outcome.volgnummer = now_current->volgnummer;
        break;  // someone archived this very content, signed as we sign, already
      }
      if (now_current && now_current->tijdstempel >= tijdstempel) {
        defer(outcome, *now_current);  // another process published in this second
        break;
      }
      uint64_t latest = now_current ? now_current->volgnummer : 0;
      if (latest != base) {
        if (attempt >= kMaxAttempts) {
          failed(Status::Internal("the list kept changing under concurrent publications"));
          break;
        }
        base = latest;
        document = signer::StripSignature(document);
        if (Status st = lists::SetVolgnummer(document, base + 1); !st.ok()) {
          failed(st);
          break;
        }
        continue;  // re-sign with the right Volgnummer; the aborted txn wrote nothing
      }
      store::ListVersion v;
      v.list = list;
      v.volgnummer = base + 1;
      v.tijdstempel = tijdstempel;
      v.sha256 = Sha256Hex(document);
      v.size = document.size();
      v.content_digest = digest;
      // Same entries as the current version: only the signing certificate changed.
      const bool resign = now_current && now_current->content_digest == digest;
      (*write)->PutListVersion(v, document);
      auto committed = (*write)->Commit(
          store::EventMeta{now, options_.operator_name, "publish", "list:" + name,
                           resign ? "signing certificate changed" : "content changed"});
      if (!committed.ok()) {
        failed(committed.status());
        break;
      }
      write->reset();
      outcome.published = true;
      outcome.resigned = resign;
      outcome.volgnummer = v.volgnummer;
      carried_[i] = Carried{v.volgnummer, signer_.CertificatesSha256()};
      if (Status st = ExportCurrent(i, v, document); !st.ok()) failed(st);
      break;
    }
  }
  for (size_t i : active) {
    ListOutcome& outcome = *outcomes[i];
    if (outcome.volgnummer == 0 || exported_[i] == outcome.volgnummer) continue;
    Status st = ExportFromArchive(i, outcome.volgnummer);
    if (!st.ok() && outcome.status.ok()) {
      outcome.status = st.WithContext("publish " + std::string(ToString(kAllLists[i])));
    }
  }
  return report;
}

bool Publisher::CarriesOurCertificates(size_t i, const store::Reader& reader,
                                       const store::ListVersion& version) {
  if (carried_[i].volgnummer != version.volgnummer) {
    auto bytes = reader.GetListBytes(kAllLists[i], version.volgnummer);
    auto certificates = bytes.ok() && *bytes
                            ? signer::SigningCertificatesOf(**bytes)
                            : Result<signer::SigningCertificates>(Status::NotFound("no bytes"));
    carried_[i] =
        Carried{version.volgnummer, certificates.ok() ? certificates->sha256 : std::string()};
  }
  return carried_[i].certificates_sha256 == signer_.CertificatesSha256();
}

Status Publisher::ExportFromArchive(size_t i, uint64_t volgnummer) {
  if (options_.export_dir.empty() || exported_[i] == volgnummer) return Status::Ok();
  const ListKind list = kAllLists[i];
  auto read = store_.BeginRead();
  if (!read.ok()) return read.status();
  auto version = (*read)->GetListVersion(list, volgnummer);
  if (!version.ok()) return version.status().WithContext("export");
  auto bytes = (*read)->GetListBytes(list, volgnummer);
  if (!bytes.ok()) return bytes.status().WithContext("export");
  read->reset();
  if (!*version || !*bytes) {
    return Status::NotFound("export: version " + std::to_string(volgnummer) + " not archived");
  }
  return ExportCurrent(i, **version, **bytes);
}

Status Publisher::ExportCurrent(size_t i, const store::ListVersion& version,
                                const std::string& bytes) {
  if (options_.export_dir.empty() || exported_[i] == version.volgnummer) return Status::Ok();
  const ListKind list = kAllLists[i];
  // The signed form first: a reader that follows the top-level file's Link to signed/ finds a
  // version at least as new.
  const std::filesystem::path signed_dir = options_.export_dir / kSignedExportSubdir;
  std::error_code ec;
  std::filesystem::create_directory(signed_dir, ec);
  if (ec)
    return Status::IoError("export: cannot create " + signed_dir.string() + ": " + ec.message());
  const std::string_view name = PublishedFileName(list);
  MEDMIJ_RETURN_IF_ERROR(WriteAtomically(signed_dir, name, bytes, version.tijdstempel));
  if (options_.default_form == ListForm::kSigned) {
    MEDMIJ_RETURN_IF_ERROR(WriteAtomically(options_.export_dir, name, bytes, version.tijdstempel));
  } else {
    MEDMIJ_RETURN_IF_ERROR(WriteAtomically(options_.export_dir, name, signer::StripSignature(bytes),
                                           version.tijdstempel));
  }
  exported_[i] = version.volgnummer;
  return Status::Ok();
}

}  // namespace medmij::publisher
