// publish, lists status|get|diff
#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include "admin-cli/commands.h"
#include "admin-cli/terminal.h"
#include "registry/common/progress.h"
#include "registry/lists/lists.h"
#include "registry/publisher/publisher.h"
#include "signer/signer.h"

namespace medmij::cli {
namespace {

using nlohmann::json;

Result<ListKind> ParseListArg(const std::string& name) {
  auto k = ParseListKind(name);
  if (!k) {
    return Status::Invalid("LIST: must be " + ListNamesForMessages() + ", got '" + name + "'");
  }
  return *k;
}

// Reads one archived version (the current one when `volgnummer` is 0).
Result<std::string> VersionBytes(const store::Reader& r, ListKind list, uint64_t volgnummer) {
  if (volgnummer == 0) {
    MEDMIJ_ASSIGN_OR_RETURN(auto current, r.CurrentListVersion(list));
    if (!current) {
      return Status::NotFound(std::string(ToString(list)) + " has not been published yet");
    }
    volgnummer = current->volgnummer;
  }
  MEDMIJ_ASSIGN_OR_RETURN(auto bytes, r.GetListBytes(list, volgnummer));
  if (!bytes) {
    return Status::NotFound(std::string(ToString(list)) + " has no version " +
                            std::to_string(volgnummer));
  }
  return std::move(*bytes);
}

int Publish(Context& ctx, const std::string& key, const std::string& cert, const std::string& chain,
            const std::string& export_dir, const std::vector<std::string>& list_names) {
  ListSet lists = list_names.empty() ? kEveryList : ListSet();
  for (const auto& name : list_names) {
    auto k = ParseListKind(name);
    if (!k) {
      return ctx.Fail(
          Status::Invalid("--list: must be " + ListNamesForMessages() + ", got '" + name + "'"));
    }
    lists.set(static_cast<size_t>(*k));
  }
  // The bar counts the stages (the publication itself is one: the publisher reports no finer
  // steps); it is cleared before anything is printed.
  Progress progress("publish", 5);
  auto fail = [&](const Status& s) {
    progress.Done();
    return ctx.Fail(s);
  };
  auto libs = signer::Libraries::Init();
  if (!libs.ok()) return fail(libs.status());
  progress.Update(1);
  auto schemas = signer::SchemaSet::Load();
  if (!schemas.ok()) return fail(schemas.status());
  progress.Update(2);
  auto signer = signer::Signer::Load(key, cert, chain, ctx.now);
  if (!signer.ok()) return fail(signer.status());
  progress.Update(3);
  auto st = ctx.OpenStore();
  if (!st.ok()) return fail(st.status());
  progress.Update(4);
  // As the service: each new version checked before it is archived, here against the chain's
  // last certificate (else the signing certificate itself), the anchor a node is given.
  auto self_check = signer::SelfCheck::Load({}, chain, cert);
  if (!self_check.ok()) return fail(self_check.status());
  publisher::Options options;
  options.export_dir = export_dir;
  options.operator_name = ctx.operator_name;
  options.lists = lists;
  options.self_check = self_check->get();
  publisher::Publisher pub(**st, **signer, **schemas, options);
  publisher::Report report = pub.PublishOnce(ctx.now);
  progress.Update(5);
  // A list changed in the same second as its current version is published in the next second
  // (one version per list per second): wait for it, as the service would.
  const bool deferred = std::any_of(report.lists.begin(), report.lists.end(),
                                    [](const publisher::ListOutcome& l) { return l.deferred; });
  if (deferred && report.next_wakeup && *report.next_wakeup - ctx.now <= std::chrono::seconds(2)) {
    std::this_thread::sleep_until(std::chrono::system_clock::time_point(*report.next_wakeup));
    publisher::Report again = pub.PublishOnce(WallClockNow());
    for (size_t i = 0; i < report.lists.size(); ++i) {
      // What the first pass published stays reported as published.
      if (report.lists[i].published) again.lists[i].published = true;
      if (report.lists[i].resigned) again.lists[i].resigned = true;
    }
    report = std::move(again);
  }
  progress.Done();
  json doc{{"ok", report.ok()}, {"at", FormatTime(report.at)}, {"lists", json::array()}};
  for (const auto& l : report.lists) {
    json jl{{"list", ToString(l.list)},
            {"published", l.published},
            {"resigned", l.resigned},
            {"deferred", l.deferred},
            {"volgnummer", l.volgnummer}};
    if (!l.status.ok()) jl["error"] = l.status.message();
    doc["lists"].push_back(jl);
  }
  if (report.next_wakeup) doc["next_change"] = FormatTime(*report.next_wakeup);
  ctx.Print(doc, [&] {
    for (const auto& l : report.lists) {
      std::cout << ToString(l.list) << ": "
                << (!l.status.ok() ? "FAILED"
                    : l.resigned   ? "re-signed (new signing certificate, same entries)"
                    : l.published  ? "published"
                    : l.deferred   ? "deferred to the next second"
                                   : "unchanged")
                << ", volgnummer " << l.volgnummer << "\n";
    }
  });
  for (const auto& l : report.lists) {
    if (!l.status.ok()) {
      std::cerr << "medmij-admin: publish " << ToString(l.list) << ": " << Shown(l.status.message())
                << "\n";
    }
  }
  return report.ok() ? kExitOk : kExitInternal;
}

}  // namespace

void AddListCommands(CLI::App& app, Context& ctx, Action& action) {
  {
    auto* publish = app.add_subcommand(
        "publish", "publish the lists now (without the service; needs the signing key)");
    auto key = std::make_shared<std::string>();
    auto cert = std::make_shared<std::string>();
    auto chain = std::make_shared<std::string>();
    auto export_dir = std::make_shared<std::string>();
    publish->add_option("--key", *key, "signing key (PEM)")->required();
    publish->add_option("--cert", *cert, "signing certificate (PEM)")->required();
    publish->add_option("--chain", *chain, "intermediate certificates (PEM)");
    publish->add_option("--export-dir", *export_dir, "also write MedMij_*.xml there");
    auto lists = std::make_shared<std::vector<std::string>>();
    publish->add_option("--list", *lists,
                        "publish only this list (repeat; as [publish] lists; default: all)");
    OnRun(publish, action, [&ctx, key, cert, chain, export_dir, lists] {
      return Publish(ctx, *key, *cert, *chain, *export_dir, *lists);
    });
  }
  auto* group = app.add_subcommand("lists", "published list versions");
  group->require_subcommand(1);
  {
    auto* status = group->add_subcommand("status", "current version of every list");
    AddFormatOption(status, ctx);
    OnRun(status, action, [&ctx] {
      auto txn = ctx.BeginRead();
      if (!txn.ok()) return ctx.Fail(txn.status());
      json rows = json::array();
      for (ListKind k : kAllLists) {
        MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto v, (*txn)->CurrentListVersion(k));
        json row{{"list", ToString(k)}};
        if (v) {
          row["volgnummer"] = v->volgnummer;
          row["tijdstempel"] = FormatTijdstempel(v->tijdstempel);
          row["sha256"] = v->sha256;
          row["size"] = v->size;
        } else {
          row["volgnummer"] = nullptr;
        }
        rows.push_back(row);
      }
      Table table{{"LIST", "VOLGNUMMER", "TIJDSTEMPEL", "SIZE", "SHA256"}, {}};
      for (const auto& r : rows) {
        if (r["volgnummer"].is_null()) {
          table.rows.push_back({r["list"].get<std::string>(), "-", "never published", "-", "-"});
        } else {
          table.rows.push_back({r["list"].get<std::string>(), r["volgnummer"].dump(),
                                r["tijdstempel"].get<std::string>(), r["size"].dump(),
                                r["sha256"].get<std::string>()});
        }
      }
      return ctx.PrintTable(rows, table);
    });
  }
  {
    auto* get = group->add_subcommand("get", "write a list version's signed bytes to stdout");
    auto list = std::make_shared<std::string>();
    auto version = std::make_shared<uint64_t>(0);
    auto unsigned_form = std::make_shared<bool>(false);
    get->add_option("LIST", *list)->required();
    get->add_option("--version", *version, "volgnummer (default: current)")
        ->check(CLI::PositiveNumber);
    get->add_flag("--unsigned", *unsigned_form, "the strict form, without the signature");
    OnRun(get, action, [&ctx, list, version, unsigned_form] {
      auto k = ParseListArg(*list);
      if (!k.ok()) return ctx.Fail(k.status());
      auto txn = ctx.BeginRead();
      if (!txn.ok()) return ctx.Fail(txn.status());
      auto bytes = VersionBytes(**txn, *k, *version);
      if (!bytes.ok()) return ctx.Fail(bytes.status());
      std::cout << (*unsigned_form ? signer::StripSignature(*bytes) : *bytes);
      std::cout.flush();
      return std::cout ? kExitOk : ctx.Fail(Status::IoError("stdout: write failed"));
    });
  }
  {
    auto* diff = group->add_subcommand("diff", "entries added, removed and changed from A to B");
    auto list = std::make_shared<std::string>();
    auto a = std::make_shared<uint64_t>(0);
    auto b = std::make_shared<uint64_t>(0);
    diff->add_option("LIST", *list)->required();
    diff->add_option("A", *a, "volgnummer")->required()->check(CLI::PositiveNumber);
    diff->add_option("B", *b, "volgnummer")->required()->check(CLI::PositiveNumber);
    OnRun(diff, action, [&ctx, list, a, b] {
      auto k = ParseListArg(*list);
      if (!k.ok()) return ctx.Fail(k.status());
      auto txn = ctx.BeginRead();
      if (!txn.ok()) return ctx.Fail(txn.status());
      auto bytes_a = VersionBytes(**txn, *k, *a);
      if (!bytes_a.ok()) return ctx.Fail(bytes_a.status());
      auto bytes_b = VersionBytes(**txn, *k, *b);
      if (!bytes_b.ok()) return ctx.Fail(bytes_b.status());
      auto d = lists::Diff(*k, *bytes_a, *bytes_b);
      if (!d.ok()) return ctx.Fail(d.status());
      json doc{{"list", ToString(*k)},
               {"a", *a},
               {"b", *b},
               {"added", d->added},
               {"removed", d->removed},
               {"changed", d->changed}};
      return ctx.Print(doc, [&] {
        std::cout << ToString(*k) << " " << *a << " -> " << *b << ": " << d->added.size()
                  << " added, " << d->removed.size() << " removed, " << d->changed.size()
                  << " changed\n";
        for (const auto& e : d->added) std::cout << "+ " << Shown(e) << "\n";
        for (const auto& e : d->removed) std::cout << "- " << Shown(e) << "\n";
        for (const auto& e : d->changed) std::cout << "~ " << Shown(e) << "\n";
      });
    });
  }
}

}  // namespace medmij::cli
