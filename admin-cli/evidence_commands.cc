// cert add|list, audit-statement add|list, qualification add|withdraw|list, label grant|withdraw
#include <iostream>

#include "admin-cli/commands.h"
#include "registry/domain/json.h"
#include "registry/domain/policy.h"

namespace medmij::cli {
namespace {

using nlohmann::json;

// Reads one participant and prints part of it.
int ShowPart(Context& ctx, const std::string& id,
             const std::function<int(const Participant&)>& print) {
  auto txn = ctx.BeginRead();
  if (!txn.ok()) return ctx.Fail(txn.status());
  auto p = ops::FindParticipant(**txn, id);
  if (!p.ok()) return ctx.Fail(p.status());
  return print(*p);
}

}  // namespace

Result<Time> ParseTimeOption(const std::string& text, const std::string& option,
                             DateMeaning meaning) {
  return ParseTime(text, option, meaning);
}

void AddEvidenceCommands(CLI::App& app, Context& ctx, Action& action) {
  {
    auto* group = app.add_subcommand("cert", "NEN 7510 certificates");
    group->require_subcommand(1);
    auto* add = group->add_subcommand("add", "record a NEN 7510 certificate");
    struct Args {
      ops::CertificateInput in;
      std::string from, until;
    };
    auto a = std::make_shared<Args>();
    add->add_option("ID", a->in.participant, "participant id")->required();
    add->add_option("--number", a->in.number, "certificate number")->required();
    add->add_option("--body", a->in.body, "certifying body")->required();
    add->add_option("--valid-from", a->from, "DATE or TIME")->required();
    add->add_option("--valid-until", a->until,
                    "DATE (valid through that day) or TIME (valid until that instant)")
        ->required();
    add->add_flag("--accredited", a->in.accredited, "body accredited by RvA / NEN licence");
    add->add_flag("--registered", a->in.registered, "listed in NEN's register");
    add->add_option("--scope", a->in.scope, "scope of the certificate");
    OnRun(add, action, [&ctx, a] {
      auto from = ParseTimeOption(a->from, "--valid-from");
      if (!from.ok()) return ctx.Fail(from.status());
      auto until = ParseTimeOption(a->until, "--valid-until", DateMeaning::kEndOfDay);
      if (!until.ok()) return ctx.Fail(until.status());
      a->in.valid_from = *from;
      a->in.valid_until = *until;
      return ctx.Mutate(
          "cert add", "participant:" + a->in.participant, "",
          [&](store::WriteTxn& t, json&) { return ops::AddCertificate(t, ctx.actor(), a->in); },
          "recorded certificate " + a->in.number + " for " + a->in.participant);
    });
    auto* list = group->add_subcommand("list", "list a participant's certificates");
    auto id = std::make_shared<std::string>();
    list->add_option("ID", *id)->required();
    OnRun(list, action, [&ctx, id] {
      return ShowPart(ctx, *id, [&](const Participant& p) {
        return ctx.Print(json(p.certificates), [&] {
          for (const auto& c : p.certificates) {
            bool counts = policy::CertificateCountsAt(c, ctx.now);
            std::cout << Shown(c.number) << "  " << Shown(c.body) << "  "
                      << FormatDate(c.valid_from) << " .. " << FormatTime(c.valid_until)
                      << "  accredited=" << (c.accredited ? "yes" : "no")
                      << " registered=" << (c.registered ? "yes" : "no")
                      << (counts ? "  [counts now]" : "") << "\n";
          }
        });
      });
    });
  }
  {
    auto* group = app.add_subcommand("audit-statement", "annual audit statements");
    group->require_subcommand(1);
    auto* add = group->add_subcommand("add", "record an aanvullende auditverklaring");
    struct Args {
      ops::AuditStatementInput in;
      std::string date;
    };
    auto a = std::make_shared<Args>();
    add->add_option("ID", a->in.participant, "participant id")->required();
    add->add_option("--date", a->date, "DATE of the statement")->required();
    add->add_option("--auditor", a->in.auditor, "auditor")->required();
    add->add_option("--outcome", a->in.outcome, "conform or nonconform")->required();
    add->add_flag("--pentest", a->in.pentest, "a penetration test was included");
    OnRun(add, action, [&ctx, a] {
      auto date = ParseTimeOption(a->date, "--date");
      if (!date.ok()) return ctx.Fail(date.status());
      a->in.date = *date;
      return ctx.Mutate(
          "audit-statement add", "participant:" + a->in.participant, "",
          [&](store::WriteTxn& t, json&) { return ops::AddAuditStatement(t, ctx.actor(), a->in); },
          "recorded audit statement of " + a->date + " for " + a->in.participant);
    });
    auto* list = group->add_subcommand("list", "list a participant's audit statements");
    auto id = std::make_shared<std::string>();
    list->add_option("ID", *id)->required();
    OnRun(list, action, [&ctx, id] {
      return ShowPart(ctx, *id, [&](const Participant& p) {
        return ctx.Print(json(p.audit_statements), [&] {
          for (const auto& s : p.audit_statements) {
            std::cout << FormatDate(s.date) << "  " << ToString(s.outcome) << "  "
                      << Shown(s.auditor) << (s.pentest ? "  pentest" : "")
                      << (policy::AuditStatementCountsAt(s, ctx.now) ? "  [counts now]" : "")
                      << "\n";
          }
        });
      });
    });
  }
  {
    auto* group = app.add_subcommand("qualification", "qualification per data service (DVA)");
    group->require_subcommand(1);
    auto* add = group->add_subcommand("add", "record a passed qualification");
    auto id = std::make_shared<std::string>();
    auto service = std::make_shared<std::string>();
    auto reason = std::make_shared<std::string>();
    add->add_option("ID", *id)->required();
    add->add_option("--service", *service, "data service id (GNL)")->required();
    OnRun(add, action, [&ctx, id, service] {
      return ctx.Mutate(
          "qualification add", "participant:" + *id, "",
          [&](store::WriteTxn& t, json&) {
            return ops::AddQualification(t, ctx.actor(), *id, *service);
          },
          *id + " qualified for data service " + *service);
    });
    auto* withdraw = group->add_subcommand("withdraw", "withdraw a qualification");
    withdraw->add_option("ID", *id)->required();
    withdraw->add_option("--service", *service, "data service id")->required();
    withdraw->add_option("--reason", *reason, "why")->required();
    OnRun(withdraw, action, [&ctx, id, service, reason] {
      return ctx.Mutate(
          "qualification withdraw", "participant:" + *id, *reason,
          [&](store::WriteTxn& t, json&) {
            return ops::WithdrawQualification(t, ctx.actor(), *id, *service, *reason);
          },
          "withdrew qualification of " + *id + " for data service " + *service);
    });
    auto* list = group->add_subcommand("list", "list a participant's qualifications");
    list->add_option("ID", *id)->required();
    OnRun(list, action, [&ctx, id] {
      return ShowPart(ctx, *id, [&](const Participant& p) {
        json doc{{"qualified", p.QualifiedServices()}, {"history", p.qualifications}};
        return ctx.Print(doc, [&] {
          for (const auto& q : p.qualifications) {
            std::cout << FormatTime(q.recorded.at) << "  " << Shown(q.service_id) << "  "
                      << (q.passed ? "passed" : "withdrawn") << "  by " << Shown(q.recorded.by)
                      << "\n";
          }
        });
      });
    });
  }
  {
    auto* group = app.add_subcommand("label", "the MedMij label");
    group->require_subcommand(1);
    auto id = std::make_shared<std::string>();
    auto reason = std::make_shared<std::string>();
    auto* grant = group->add_subcommand("grant", "grant the MedMij label");
    grant->add_option("ID", *id)->required();
    grant->add_option("--reason", *reason, "why");
    OnRun(grant, action, [&ctx, id, reason] {
      return ctx.Mutate(
          "label grant", "participant:" + *id, *reason,
          [&](store::WriteTxn& t, json&) { return ops::GrantLabel(t, ctx.actor(), *id, *reason); },
          "label granted to " + *id);
    });
    auto* withdraw = group->add_subcommand("withdraw", "withdraw the MedMij label");
    withdraw->add_option("ID", *id)->required();
    withdraw->add_option("--reason", *reason, "why")->required();
    OnRun(withdraw, action, [&ctx, id, reason] {
      return ctx.Mutate(
          "label withdraw", "participant:" + *id, *reason,
          [&](store::WriteTxn& t, json&) {
            return ops::WithdrawLabel(t, ctx.actor(), *id, *reason);
          },
          "label withdrawn from " + *id);
    });
  }
}

}  // namespace medmij::cli
