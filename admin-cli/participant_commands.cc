// participant enrol|show|list|explain|history|activate|suspend|reinstate|terminate|approve
#include <iomanip>
#include <iostream>

#include "admin-cli/commands.h"
#include "admin-cli/terminal.h"
#include "registry/domain/json.h"
#include "registry/domain/policy.h"
#include "registry/ops/history.h"

namespace medmij::cli {
namespace {

using nlohmann::json;

std::string Roles(const Participant& p) {
  std::string out;
  for (Role r : p.roles) out += (out.empty() ? "" : ",") + std::string(ToString(r));
  return out;
}

void PrintExplain(const ops::Explanation& e) {
  const Participant& p = e.participant;
  const auto& standing = e.standing;
  const auto& lists = e.lists;
  const Time at = e.at;
  std::cout << Shown(p.id) << " at " << FormatTime(at) << ": " << ToString(p.status) << ", "
            << (standing.good ? "in good standing" : "NOT in good standing") << "\n";
  for (const auto& r : standing.reasons) std::cout << "  - " << Shown(r) << "\n";
  for (const auto& m : lists) {
    std::cout << (m.on ? "  on     " : "  not on ") << ToString(m.list) << "\n";
    if (!m.on) {
      for (const auto& r : m.reasons) std::cout << "           - " << Shown(r) << "\n";
    }
    for (const auto& o : m.left_out) {
      std::cout << "           left out: " << Shown(o.provider);
      if (!o.service.empty()) std::cout << " data service " << Shown(o.service);
      std::cout << ": " << Shown(o.reason) << "\n";
    }
  }
}

int Explain(Context& ctx, const std::string& id, const std::string& at_text) {
  Time at = ctx.now;
  if (!at_text.empty()) {
    auto t = ParseTimeOption(at_text, "--at");
    if (!t.ok()) return ctx.Fail(t.status());
    at = *t;
  }
  auto txn = ctx.BeginRead();
  if (!txn.ok()) return ctx.Fail(txn.status());
  const store::Reader& r = **txn;
  auto p = ops::FindParticipant(r, id);
  if (!p.ok()) return ctx.Fail(p.status());
  MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto e, ops::Explain(r, *p, at));
  return ctx.Print(ops::ToJson(e), [&] { PrintExplain(e); });
}

void PrintParticipant(const Participant& p, const std::vector<Node>& nodes,
                      const std::vector<OAuthClient>& clients, size_t providers,
                      const std::vector<ComplianceCase>& cases, const policy::Standing& standing) {
  std::cout << "id:          " << Shown(p.id) << "\n"
            << "name:        " << Shown(p.legal_name) << "\n"
            << "kvk:         " << Shown(p.kvk) << "\n";
  if (!p.email.empty()) std::cout << "email:       " << Shown(p.email) << "\n";
  std::cout << "roles:       " << Roles(p) << "\n"
            << "status:      " << ToString(p.status) << "\n"
            << "label:       " << (p.LabelGranted() ? "granted" : "not granted") << "\n"
            << "standing:    " << (standing.good ? "good" : "not good") << "\n";
  for (const auto& r : standing.reasons) std::cout << "             - " << Shown(r) << "\n";
  std::cout << "enrolled:    " << FormatTime(p.enrolled.at) << " by " << Shown(p.enrolled.by)
            << "\n";
  std::cout << "certificates (" << p.certificates.size() << "):\n";
  for (const auto& c : p.certificates) {
    std::cout << "  " << Shown(c.number) << " by " << Shown(c.body) << ", "
              << FormatDate(c.valid_from) << " .. " << FormatTime(c.valid_until)
              << (c.accredited ? ", accredited" : "") << (c.registered ? ", registered" : "")
              << "\n";
  }
  std::cout << "audit statements (" << p.audit_statements.size() << "):\n";
  for (const auto& a : p.audit_statements) {
    std::cout << "  " << FormatDate(a.date) << " " << ToString(a.outcome) << " by "
              << Shown(a.auditor) << (a.pentest ? ", pentest included" : "") << "\n";
  }
  std::string qualified;
  for (const auto& s : p.QualifiedServices()) qualified += (qualified.empty() ? "" : ", ") + s;
  std::cout << "qualified:   " << (qualified.empty() ? "-" : Shown(qualified)) << "\n";
  std::cout << "nodes (" << nodes.size() << "):";
  for (const auto& n : nodes) std::cout << " " << Shown(n.hostname);
  std::cout << "\noauth clients (" << clients.size() << "):";
  for (const auto& c : clients) std::cout << " " << Shown(c.hostname);
  std::cout << "\nproviders:   " << providers << "\n";
  std::cout << "cases (" << cases.size() << "):";
  for (const auto& c : cases) {
    std::cout << " " << Shown(c.id)
              << (c.IsOpen() ? "[" + std::string(ToString(c.CurrentStep())) + "]" : "[closed]");
  }
  std::cout << "\n";
}

int Show(Context& ctx, const std::string& id) {
  auto txn = ctx.BeginRead();
  if (!txn.ok()) return ctx.Fail(txn.status());
  const store::Reader& r = **txn;
  auto p = ops::FindParticipant(r, id);
  if (!p.ok()) return ctx.Fail(p.status());
  MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto nodes, r.NodesOf(id));
  MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto clients, r.OAuthClientsOf(id));
  MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto providers, r.ProvidersOf(id));
  MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto cases, r.CasesOf(id));
  auto standing = policy::EvaluateStanding(*p, ctx.now);
  json doc = *p;
  doc["good_standing"] = standing.good;
  doc["standing_reasons"] = standing.reasons;
  doc["nodes"] = json::array();
  for (const auto& n : nodes) doc["nodes"].push_back(n.hostname);
  doc["oauth_clients"] = clients;
  doc["provider_count"] = providers.size();
  doc["cases"] = json::array();
  for (const auto& c : cases) doc["cases"].push_back(c.id);
  return ctx.Print(
      doc, [&] { PrintParticipant(*p, nodes, clients, providers.size(), cases, standing); });
}

struct ListFilter {
  std::string status;    // --status
  std::string role;      // --role
  std::string standing;  // --standing good|bad
};

int List(Context& ctx, const ListFilter& filter) {
  std::optional<Lifecycle> status;
  std::optional<Role> role;
  if (!filter.status.empty() && !(status = ParseLifecycle(filter.status))) {
    return ctx.Fail(
        Status::Invalid("--status: must be candidate, active, suspended or "
                        "terminated, got '" +
                        filter.status + "'"));
  }
  if (!filter.role.empty() && !(role = ParseRole(filter.role))) {
    return ctx.Fail(Status::Invalid("--role: must be dvp or dva, got '" + filter.role + "'"));
  }
  auto txn = ctx.BeginRead();
  if (!txn.ok()) return ctx.Fail(txn.status());
  // A record that does not decode is named on stderr; the others are listed.
  std::vector<store::CorruptRecord> corrupt;
  MEDMIJ_ASSIGN_OR_FAIL(ctx, auto participants, (*txn)->AllParticipants(&corrupt));
  ctx.ReportSkipped(corrupt);
  json rows = json::array();
  Table table{{"ID", "ROLES", "STATUS", "LABEL", "STANDING", "EMAIL", "NAME"}, {}};
  for (auto& p : participants) {
    if (status && p.status != *status) continue;
    if (role && !p.HasRole(*role)) continue;
    bool good = policy::EvaluateStanding(p, ctx.now).good;
    if (!filter.standing.empty() && good != (filter.standing == "good")) continue;
    rows.push_back({{"id", p.id},
                    {"name", p.legal_name},
                    {"email", p.email},
                    {"roles", Roles(p)},
                    {"status", ToString(p.status)},
                    {"label", p.LabelGranted()},
                    {"good_standing", good}});
    table.rows.push_back({p.id, Roles(p), std::string(ToString(p.status)),
                          p.LabelGranted() ? "yes" : "no", good ? "good" : "bad", p.email,
                          p.legal_name});
  }
  return ctx.PrintTable(rows, table);
}

// The participant as recorded at `at`, and what the lists said of it then.
int HistoryAt(Context& ctx, const std::string& id, const std::string& at_text) {
  auto at = ParseTimeOption(at_text, "--at");
  if (!at.ok()) return ctx.Fail(at.status());
  auto st = ctx.OpenStore();
  if (!st.ok()) return ctx.Fail(st.status());
  auto state = (*st)->StateAt(*at);
  if (!state.ok()) return ctx.Fail(state.status());
  auto e = ops::ExplainInState(*state, id, *at);
  if (!e) {
    return ctx.Fail(
        Status::NotFound("participant '" + id + "' did not exist at " + FormatTime(*at)));
  }
  json doc = ops::ToJson(*e);
  doc["state"] = e->participant;
  return ctx.Print(doc, [&] {
    std::cout << "state as recorded at " << FormatTime(*at) << "\n";
    PrintExplain(*e);
  });
}

// Every journal event that touched the participant.
int HistoryEvents(Context& ctx, const std::string& id) {
  auto txn = ctx.BeginRead();
  if (!txn.ok()) return ctx.Fail(txn.status());
  if (auto p = ops::FindParticipant(**txn, id); !p.ok()) return ctx.Fail(p.status());
  std::vector<store::EventMeta> events;
  std::vector<uint64_t> seqs;
  Status read = (*txn)->ForEachEvent(1, [&](const store::JournalEvent& e) {
    if (ops::EventTouchesParticipant(e, id)) {
      events.push_back(e.meta);
      seqs.push_back(e.seq);
    }
    return true;
  });
  if (!read.ok()) return ctx.Fail(read);
  json doc = json::array();
  for (size_t i = 0; i < events.size(); ++i) {
    json row = events[i];
    row["seq"] = seqs[i];
    doc.push_back(std::move(row));
  }
  return ctx.Print(doc, [&] {
    for (size_t i = 0; i < events.size(); ++i) {
      const auto& m = events[i];
      std::cout << std::setw(6) << seqs[i] << "  " << FormatTime(m.at) << "  "
                << Shown(m.operator_name) << "  " << Shown(m.command) << "  " << Shown(m.subject);
      if (!m.reason.empty()) std::cout << "  (" << Shown(m.reason) << ")";
      std::cout << "\n";
    }
  });
}

}  // namespace

void AddParticipantCommands(CLI::App& app, Context& ctx, Action& action) {
  auto* group = app.add_subcommand("participant", "enrol and manage participants");
  group->require_subcommand(1);

  {
    auto* cmd = group->add_subcommand("enrol", "enrol a new participant as candidate");
    auto in = std::make_shared<ops::EnrolInput>();
    cmd->add_option("ID", in->id, "participant id ([a-z0-9-]{3,40})")->required();
    cmd->add_option("--name", in->legal_name, "legal name")->required();
    cmd->add_option("--kvk", in->kvk, "KvK number (8 digits)")->required();
    cmd->add_option("--role", in->roles, "dvp or dva (repeat for both)")->required();
    cmd->add_option("--email", in->email, "contact e-mail");
    OnRun(cmd, action, [&ctx, in] {
      return ctx.Mutate(
          "participant enrol", "participant:" + in->id, "",
          [&](store::WriteTxn& t, json&) { return ops::Enrol(t, ctx.actor(), *in); },
          "enrolled " + in->id + " as candidate");
    });
  }
  {
    auto* cmd = group->add_subcommand("show", "show a participant");
    auto id = std::make_shared<std::string>();
    cmd->add_option("ID", *id)->required();
    OnRun(cmd, action, [&ctx, id] { return Show(ctx, *id); });
  }
  {
    auto* cmd = group->add_subcommand("list", "list participants");
    auto filter = std::make_shared<ListFilter>();
    cmd->add_option("--status", filter->status,
                    "only this lifecycle status (candidate, active, suspended, terminated)");
    cmd->add_option("--role", filter->role, "only this role (dvp, dva)");
    cmd->add_option("--standing", filter->standing, "only participants in good or bad standing")
        ->check(CLI::IsMember({"good", "bad"}));
    AddFormatOption(cmd, ctx);
    OnRun(cmd, action, [&ctx, filter] { return List(ctx, *filter); });
  }
  {
    auto* cmd = group->add_subcommand("explain", "which lists a participant is on, and why not");
    auto id = std::make_shared<std::string>();
    auto at = std::make_shared<std::string>();
    cmd->add_option("ID", *id)->required();
    cmd->add_option("--at", *at, "evaluate at this time (current state)");
    OnRun(cmd, action, [&ctx, id, at] { return Explain(ctx, *id, *at); });
  }
  {
    auto* cmd = group->add_subcommand("history", "journal events of a participant");
    auto id = std::make_shared<std::string>();
    auto at = std::make_shared<std::string>();
    cmd->add_option("ID", *id)->required();
    cmd->add_option("--at", *at, "show the state as recorded at this time instead");
    OnRun(cmd, action, [&ctx, id, at] {
      return at->empty() ? HistoryEvents(ctx, *id) : HistoryAt(ctx, *id, *at);
    });
  }

  struct Transition {
    const char* name;
    const char* help;
    bool reason_required;
    Status (*op)(store::WriteTxn&, const ops::Actor&, const std::string&, const std::string&);
    const char* done;
  };
  static const Transition kTransitions[] = {
      {"activate", "activate a candidate (needs a current certificate and audit statement)", false,
       &ops::Activate, "activated"},
      {"suspend", "suspend an active participant", true, &ops::Suspend, "suspended"},
      {"reinstate", "lift a suspension", true, &ops::Reinstate, "reinstated"},
  };
  for (const auto& tr : kTransitions) {
    auto* cmd = group->add_subcommand(tr.name, tr.help);
    auto id = std::make_shared<std::string>();
    auto reason = std::make_shared<std::string>();
    cmd->add_option("ID", *id)->required();
    auto* opt = cmd->add_option("--reason", *reason, "why");
    if (tr.reason_required) opt->required();
    const Transition* t = &tr;
    OnRun(cmd, action, [&ctx, id, reason, t] {
      return ctx.Mutate(
          std::string("participant ") + t->name, "participant:" + *id, *reason,
          [&](store::WriteTxn& txn, json&) { return t->op(txn, ctx.actor(), *id, *reason); },
          std::string(t->done) + " " + *id);
    });
  }
  {
    auto* cmd = group->add_subcommand("terminate",
                                      "request termination (a different operator must approve it)");
    auto id = std::make_shared<std::string>();
    auto reason = std::make_shared<std::string>();
    cmd->add_option("ID", *id)->required();
    cmd->add_option("--reason", *reason, "why")->required();
    OnRun(cmd, action, [&ctx, id, reason] {
      return ctx.Mutate(
          "participant terminate", "participant:" + *id, *reason,
          [&](store::WriteTxn& t, json& out) {
            auto r = ops::RequestTermination(t, ctx.actor(), *id, *reason);
            if (!r.ok()) return r.status();
            out["request_id"] = *r;
            return Status::Ok();
          },
          [id](const json& out) {
            return "termination of " + *id + " requested as " +
                   out["request_id"].get<std::string>() +
                   "; a different operator approves it with 'participant approve " +
                   out["request_id"].get<std::string>() + "'";
          });
    });
  }
  {
    auto* cmd = group->add_subcommand("approve", "approve a termination request");
    auto request = std::make_shared<std::string>();
    cmd->add_option("REQUEST-ID", *request)->required();
    OnRun(cmd, action, [&ctx, request] {
      return ctx.Mutate(
          "participant approve", "termination-request:" + *request, "",
          [&](store::WriteTxn& t, json& out) {
            auto r = ops::ApproveTermination(t, ctx.actor(), *request);
            if (!r.ok()) return r.status();
            out["participant"] = *r;
            return Status::Ok();
          },
          "approved " + *request + "; participant terminated");
    });
  }
}

}  // namespace medmij::cli
