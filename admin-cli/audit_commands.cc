// audit bundle: a participant's evidence bundle (audit/bundle.h) under the latest checkpoint
// the service archived in the data directory.
#include <iostream>

#include "admin-cli/commands.h"
#include "audit/make_bundle.h"
#include "registry/common/atomic_file.h"
#include "registry/common/checkpoint_archive.h"

namespace medmij::cli {
namespace {

using nlohmann::json;

int WriteBundle(Context& ctx, const std::string& id, const std::string& out) {
  auto txn = ctx.BeginRead();
  if (!txn.ok()) return ctx.Fail(txn.status());
  // The archive's signature is the verifier's to check (the admin holds no log key); the
  // bundle maker checks that it is a checkpoint of this store's journal.
  MEDMIJ_ASSIGN_OR_FAIL(ctx, auto archived, checkpoint::ReadArchive(ctx.data_dir, nullptr));
  if (!archived) {
    return ctx.Fail(Status::NotFound(
        "no signed checkpoint in " + ctx.data_dir + " (" + std::string(checkpoint::kArchiveName) +
        "): medmij-registry signs one when [transparency] is configured"));
  }
  MEDMIJ_ASSIGN_OR_FAIL(ctx, audit::Bundle b, audit::MakeBundle(**txn, id, archived->note));
  Status written = WriteFileAtomically(out, audit::EncodeBundle(b),
                                       AtomicWriteOptions{.mode = 0644, .replace = true});
  if (!written.ok()) return ctx.Fail(written);
  const checkpoint::Checkpoint& cp = archived->checkpoint;
  json doc{{"ok", true},
           {"participant", id},
           {"file", out},
           {"origin", cp.origin},
           {"tree_size", cp.size},
           {"events", b.events.size()},
           {"list_versions", b.list_versions.size()},
           {"left_out", b.left_out}};
  return ctx.Print(doc, [&] {
    std::cout << "wrote the evidence bundle of " << Shown(id) << " to " << Shown(out) << ": "
              << b.events.size() << " events and " << b.list_versions.size()
              << " list versions under checkpoint " << Shown(cp.origin) << " size " << cp.size
              << "; " << b.left_out << " later journal events left out\n";
  });
}

}  // namespace

void AddAuditCommands(CLI::App& app, Context& ctx, Action& action) {
  auto* group = app.add_subcommand("audit", "evidence for auditors from the transparency log");
  group->require_subcommand(1);
  auto* bundle = group->add_subcommand(
      "bundle",
      "write a participant's evidence bundle (events with inclusion proofs, list versions) "
      "under the latest signed checkpoint; check it with medmij-audit verify-bundle");
  auto id = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  bundle->add_option("ID", *id, "participant id")->required();
  bundle->add_option("--out", *out, "the bundle file to write (replaced atomically)")->required();
  OnRun(bundle, action, [&ctx, id, out] { return WriteBundle(ctx, *id, *out); });
}

}  // namespace medmij::cli
