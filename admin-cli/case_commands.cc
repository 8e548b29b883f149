// case open|step|close|list|show (Nalevingsbeleid)
#include <iostream>

#include "admin-cli/commands.h"
#include "admin-cli/terminal.h"
#include "registry/domain/json.h"

namespace medmij::cli {
namespace {

using nlohmann::json;

void PrintCase(const ComplianceCase& c) {
  std::cout << "case:        " << Shown(c.id) << "\n"
            << "participant: " << Shown(c.participant) << "\n"
            << "type:        " << Shown(c.type) << "\n"
            << "finding:     " << Shown(c.finding) << "\n"
            << "state:       "
            << (c.IsOpen() ? "open, " + std::string(ToString(c.CurrentStep()))
                           : std::string("closed"))
            << "\n";
  for (const auto& s : c.steps) {
    std::cout << "  " << FormatTime(s.recorded.at) << "  " << ToString(s.step) << "  by "
              << Shown(s.recorded.by) << ": " << Shown(s.recorded.reason);
    if (s.deadline) std::cout << " (deadline " << FormatTime(*s.deadline) << ")";
    std::cout << "\n";
  }
  if (c.closed) {
    std::cout << "  " << FormatTime(c.closed->at) << "  closed  by " << Shown(c.closed->by) << ": "
              << Shown(c.closed->reason) << "\n";
  }
}

}  // namespace

void AddCaseCommands(CLI::App& app, Context& ctx, Action& action) {
  auto* group = app.add_subcommand("case", "compliance cases (Nalevingsbeleid)");
  group->require_subcommand(1);
  auto case_id = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  {
    auto* open = group->add_subcommand("open", "open a case with a finding");
    auto id = std::make_shared<std::string>();
    auto type = std::make_shared<std::string>();
    auto finding = std::make_shared<std::string>();
    open->add_option("ID", *id, "participant id")->required();
    open->add_option("--type", *type, "kind of finding, e.g. certificate-lapsed")->required();
    open->add_option("--finding", *finding, "what was found")->required();
    OnRun(open, action, [&ctx, id, type, finding] {
      return ctx.Mutate(
          "case open", "participant:" + *id, *finding,
          [&](store::WriteTxn& t, json& out) {
            auto c = ops::OpenCase(t, ctx.actor(), *id, *type, *finding);
            if (!c.ok()) return c.status();
            out["case_id"] = *c;
            return Status::Ok();
          },
          [id](const json& out) {
            return "opened " + out["case_id"].get<std::string>() + " for " + *id;
          });
    });
  }
  {
    auto* step = group->add_subcommand("step", "move a case to its next step");
    auto to = std::make_shared<std::string>();
    auto deadline = std::make_shared<std::string>();
    auto immediate = std::make_shared<bool>(false);
    step->add_option("CASE", *case_id)->required();
    step->add_option("--to", *to, "explanation, notice, suspension or termination")->required();
    step->add_option("--reason", *reason, "why")->required();
    step->add_option("--deadline", *deadline, "DATE or TIME by which the participant must act");
    step->add_flag("--immediate", *immediate,
                   "skip earlier steps (network safety): only to suspension or termination");
    OnRun(step, action, [&ctx, case_id, to, reason, deadline, immediate] {
      std::optional<Time> due;
      if (!deadline->empty()) {
        auto t = ParseTimeOption(*deadline, "--deadline", DateMeaning::kEndOfDay);
        if (!t.ok()) return ctx.Fail(t.status());
        due = *t;
      }
      return ctx.Mutate(
          "case step", "case:" + *case_id, *reason,
          [&](store::WriteTxn& t, json& out) {
            auto r = ops::StepCase(t, ctx.actor(), *case_id, *to, *reason, due, *immediate);
            if (!r.ok()) return r.status();
            out["participant"] = r->participant;
            if (!r->termination_request.empty()) {
              out["request_id"] = r->termination_request;
            }
            return Status::Ok();
          },
          [case_id, to](const json& out) {
            std::string msg = *case_id + " moved to " + *to;
            if (out.contains("request_id")) {
              msg += "; termination requested as " + out["request_id"].get<std::string>() +
                     " (a different operator approves it with 'participant approve')";
            }
            return msg;
          });
    });
  }
  {
    auto* close = group->add_subcommand("close", "close a case");
    close->add_option("CASE", *case_id)->required();
    close->add_option("--reason", *reason, "why")->required();
    OnRun(close, action, [&ctx, case_id, reason] {
      return ctx.Mutate(
          "case close", "case:" + *case_id, *reason,
          [&](store::WriteTxn& t, json&) {
            return ops::CloseCase(t, ctx.actor(), *case_id, *reason);
          },
          *case_id + " closed");
    });
  }
  {
    auto* list = group->add_subcommand("list", "list cases");
    auto participant = std::make_shared<std::string>();
    auto open_only = std::make_shared<bool>(false);
    list->add_option("--participant", *participant, "only this participant's cases");
    list->add_flag("--open", *open_only, "only open cases");
    AddFormatOption(list, ctx);
    OnRun(list, action, [&ctx, participant, open_only] {
      auto txn = ctx.BeginRead();
      if (!txn.ok()) return ctx.Fail(txn.status());
      std::vector<ComplianceCase> cases;
      if (participant->empty()) {
        std::vector<store::CorruptRecord> corrupt;
        MEDMIJ_ASSIGN_OR_FAIL(ctx, cases, (*txn)->AllCases(&corrupt));
        ctx.ReportSkipped(corrupt);
      } else {
        auto p = ops::FindParticipant(**txn, *participant);
        if (!p.ok()) return ctx.Fail(p.status());
        MEDMIJ_ASSIGN_OR_FAIL(ctx, cases, (*txn)->CasesOf(*participant));
      }
      std::erase_if(cases, [&](const ComplianceCase& c) { return *open_only && !c.IsOpen(); });
      json rows = json::array();
      Table table{{"CASE", "PARTICIPANT", "TYPE", "STEP", "DEADLINE"}, {}};
      for (const auto& c : cases) {
        std::optional<Time> deadline =
            c.IsOpen() && !c.steps.empty() ? c.steps.back().deadline : std::nullopt;
        rows.push_back({{"id", c.id},
                        {"participant", c.participant},
                        {"type", c.type},
                        {"open", c.IsOpen()},
                        {"step", ToString(c.CurrentStep())},
                        {"deadline", deadline ? json(FormatTime(*deadline)) : json(nullptr)}});
        table.rows.push_back({c.id, c.participant, c.type,
                              c.IsOpen() ? std::string(ToString(c.CurrentStep())) : "closed",
                              deadline ? FormatTime(*deadline) : "-"});
      }
      return ctx.PrintTable(rows, table);
    });
  }
  {
    auto* show = group->add_subcommand("show", "show a case and its steps");
    show->add_option("CASE", *case_id)->required();
    OnRun(show, action, [&ctx, case_id] {
      auto txn = ctx.BeginRead();
      if (!txn.ok()) return ctx.Fail(txn.status());
      MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto c, (*txn)->GetCase(*case_id));
      if (!c) return ctx.Fail(Status::NotFound("case '" + *case_id + "' does not exist"));
      return ctx.Print(json(*c), [&] { PrintCase(*c); });
    });
  }
}

}  // namespace medmij::cli
