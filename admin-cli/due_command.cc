// due: what lapses or falls due before a horizon, sorted by date, with whom to write to.
#include "admin-cli/attention_view.h"
#include "admin-cli/commands.h"

namespace medmij::cli {
namespace {

int DueCommand(Context& ctx, int days, const std::string& what_text) {
  MEDMIJ_ASSIGN_OR_FAIL(ctx, const std::set<ops::DueKind> what,
                        ops::ParseDueKinds(what_text, "--what"));
  auto txn = ctx.BeginRead();
  if (!txn.ok()) return ctx.Fail(txn.status());
  MEDMIJ_ASSIGN_OR_FAIL(ctx, const RegistryState state, ReadAttentionState(ctx, **txn));
  const auto items = ops::Due(state, ctx.now, ctx.now + Days(days), what);
  return ctx.PrintTable(DueJson(items), DueTable(items));
}

}  // namespace

void AddDueCommand(CLI::App& app, Context& ctx, Action& action) {
  auto* due = app.add_subcommand(
      "due", "what lapses or falls due: certificates, audit statements, case deadlines, approvals");
  auto days = std::make_shared<int>(30);
  auto what = std::make_shared<std::string>("certificates,audits");
  due->add_option("--within", *days, "days ahead (default 30)")->check(CLI::Range(0, 3650));
  due->add_option("--what", *what,
                  "comma-separated: certificates, audits, cases, approvals (default "
                  "certificates,audits)");
  AddFormatOption(due, ctx);
  OnRun(due, action, [&ctx, days, what] { return DueCommand(ctx, *days, *what); });
}

}  // namespace medmij::cli
