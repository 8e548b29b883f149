// status: one screen of what needs a person at the foundation today, read from the data dir
// alone (the state, the journal and the list archive), without asking the service.
#include <iostream>

#include "admin-cli/attention_view.h"
#include "admin-cli/commands.h"
#include "registry/lists/lists.h"
#include "registry/ops/verify_record.h"
#include "signer/signer.h"

namespace medmij::cli {
namespace {

using nlohmann::json;

// The health of one list as the archive shows it: what is wrong with its current version, if
// anything. The service's /healthz knows more (a failed signing); this needs no service.
struct ListHealth {
  ListKind list = ListKind::kWhitelist;
  std::optional<store::ListVersion> current;
  std::optional<Time> certificate_not_after;
  std::vector<std::string> problems;  // empty: ok
};

// `state` is the whole registry state (nullptr when a record does not decode: the lists cannot
// be derived then, and that is a problem of its own).
Result<ListHealth> HealthOf(const store::Reader& txn, ListKind list, const RegistryState* state,
                            Time now) {
  ListHealth h;
  h.list = list;
  MEDMIJ_ASSIGN_OR_RETURN(h.current, txn.CurrentListVersion(list));
  if (!h.current) {
    h.problems.push_back("never published");
    return h;
  }
  const std::string volgnummer = std::to_string(h.current->volgnummer);
  if (state == nullptr) {
    h.problems.push_back("cannot compare with the state: a stored record does not decode");
  } else if (lists::Derive(list, *state, now).digest != h.current->content_digest) {
    // The publisher gives a new version whenever the entries change, within a second when the
    // service runs: a difference that stays means it does not run or its publication fails.
    h.problems.push_back("the state gives other entries than Volgnummer " + volgnummer +
                         ": not published yet, or its publication failed");
  }
  MEDMIJ_ASSIGN_OR_RETURN(auto bytes, txn.GetListBytes(list, h.current->volgnummer));
  auto carried = bytes
                     ? signer::SigningCertificatesOf(*bytes)
                     : Result<signer::SigningCertificates>(Status::Corruption(
                           "the bytes of version " + volgnummer + " are missing from the archive"));
  if (!carried.ok()) {
    h.problems.push_back("signing certificate unreadable: " + carried.status().message());
  } else {
    h.certificate_not_after = carried->not_after;
    if (carried->not_after <= now) {
      h.problems.push_back("signed with a certificate that expired " +
                           FormatTime(carried->not_after));
    } else if (carried->not_after <= now + Days(ops::kStatusLapseDays)) {
      h.problems.push_back("signed with a certificate that expires " +
                           FormatTime(carried->not_after) + ": roll the signing key");
    }
  }
  return h;
}

json ToJson(const ListHealth& h) {
  json j{{"list", ToString(h.list)},         {"volgnummer", nullptr},    {"tijdstempel", nullptr},
         {"certificate_not_after", nullptr}, {"ok", h.problems.empty()}, {"problems", h.problems}};
  if (h.current) {
    j["volgnummer"] = h.current->volgnummer;
    j["tijdstempel"] = FormatTijdstempel(h.current->tijdstempel);
  }
  if (h.certificate_not_after) j["certificate_not_after"] = FormatTime(*h.certificate_not_after);
  return j;
}

json ToJson(const std::optional<ops::VerifyRecord>& v) {
  if (!v) return nullptr;
  return json{{"at", FormatTime(v->at)}, {"by", v->by},      {"command", v->command}, {"ok", v->ok},
              {"events", v->events},     {"error", v->error}};
}

// Prints `table` indented under `title (N)`.
void PrintSection(const std::string& title, const std::vector<ops::DueItem>& items) {
  std::cout << title << " (" << items.size() << ")\n";
  if (items.empty()) return;
  const size_t columns = TerminalColumns(1);
  const std::string table = RenderAligned(DueTable(items), columns > 2 ? columns - 2 : 0);
  for (size_t start = 0; start < table.size();) {
    const size_t eol = table.find('\n', start);
    std::cout << "  " << table.substr(start, eol - start) << "\n";
    start = eol + 1;
  }
}

std::string Counts(const std::map<std::string, int>& counts) {
  if (counts.empty()) return "none";
  std::string out;
  for (const auto& [name, n] : counts) {
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + " " + name;
  }
  return out;
}

int StatusCommand(Context& ctx) {
  auto st = ctx.OpenStore();
  if (!st.ok()) return ctx.Fail(st.status());
  auto txn = ctx.BeginRead();
  if (!txn.ok()) return ctx.Fail(txn.status());
  MEDMIJ_ASSIGN_OR_FAIL(ctx, const RegistryState attention, ReadAttentionState(ctx, **txn));
  // The whole state, to derive the lists; only a record that does not decode is tolerated.
  auto full = (*txn)->LoadState();
  if (!full.ok() && full.status().code() != Status::Code::kCorruption) {
    return ctx.Fail(full.status());
  }
  std::vector<ListHealth> lists;
  for (ListKind k : kAllLists) {
    MEDMIJ_ASSIGN_OR_FAIL(ctx, ListHealth h,
                          HealthOf(**txn, k, full.ok() ? &*full : nullptr, ctx.now));
    lists.push_back(std::move(h));
  }
  MEDMIJ_ASSIGN_OR_FAIL(ctx, const uint64_t journal_length, (*txn)->JournalLength());
  txn->reset();

  // Who fell out of good standing in the last week: the state then, from the journal.
  auto then = (*st)->StateAt(ctx.now - Days(ops::kStatusFellOutDays));
  const ops::Summary s = ops::Summarize(attention, then.ok() ? &*then : nullptr, ctx.now);
  const auto verify = ops::ReadVerifyRecord((*st)->dir());

  json doc;
  doc["at"] = FormatTime(ctx.now);
  doc["participants"] = json{{"by_status", s.by_status},
                             {"by_role_status", s.by_role_status},
                             {"good_standing", s.good_standing},
                             {"not_good_standing", s.not_good_standing},
                             {"fell_out_days", ops::kStatusFellOutDays},
                             {"fell_out", then.ok() ? json(s.fell_out) : json(nullptr)}};
  doc["lapsing_days"] = ops::kStatusLapseDays;
  doc["lapsing"] = DueJson(s.lapsing);
  doc["pending_approvals"] = DueJson(s.approvals);
  doc["cases"] = json{{"open_by_step", s.open_cases_by_step},
                      {"deadline_days", ops::kStatusDeadlineDays},
                      {"deadlines", DueJson(s.deadlines)}};
  doc["lists"] = json::array();
  for (const auto& h : lists) doc["lists"].push_back(ToJson(h));
  doc["journal"] = json{{"length", journal_length}, {"last_verify", ToJson(verify)}};

  return ctx.Print(doc, [&] {
    std::cout << "registry status at " << FormatTime(ctx.now) << "\n\n";
    std::cout << "participants: " << Counts(s.by_status) << "\n";
    for (const auto& [role, counts] : s.by_role_status) {
      std::cout << "  " << role << ": " << Counts(counts) << "\n";
    }
    std::cout << "good standing: " << s.good_standing << " in, " << s.not_good_standing
              << " out (of those not terminated)\n";
    std::cout << "fell out of good standing in the last " << ops::kStatusFellOutDays << " days: ";
    if (!then.ok()) {
      std::cout << "unknown (" << Shown(then.status().message()) << ")";
    } else if (s.fell_out.empty()) {
      std::cout << "none";
    }
    for (size_t i = 0; i < s.fell_out.size(); ++i) {
      std::cout << (i ? ", " : "") << Shown(s.fell_out[i]);
    }
    std::cout << "\n\n";
    PrintSection("lapsing within " + std::to_string(ops::kStatusLapseDays) + " days", s.lapsing);
    PrintSection("termination requests waiting for a second operator", s.approvals);
    std::cout << "open cases by step: " << Counts(s.open_cases_by_step) << "\n";
    PrintSection(
        "case deadlines passed or within " + std::to_string(ops::kStatusDeadlineDays) + " days",
        s.deadlines);
    std::cout << "\n";
    Table table{{"LIST", "VOLGNUMMER", "TIJDSTEMPEL", "HEALTH"}, {}};
    for (const auto& h : lists) {
      std::string health = "ok";
      if (!h.problems.empty()) {
        health.clear();
        for (const auto& p : h.problems) health += (health.empty() ? "" : "; ") + p;
      }
      table.rows.push_back({std::string(ToString(h.list)),
                            h.current ? std::to_string(h.current->volgnummer) : "-",
                            h.current ? FormatTijdstempel(h.current->tijdstempel) : "-", health});
    }
    std::cout << RenderAligned(table, TerminalColumns(1));
    std::cout << "\njournal: " << journal_length << " events; last verify: ";
    if (!verify) {
      std::cout << "none recorded (run 'medmij-admin journal verify')\n";
    } else {
      std::cout << (verify->ok ? "passed" : "FAILED") << " at " << FormatTime(verify->at) << " by "
                << Shown(verify->by) << " (" << verify->command << ", " << verify->events
                << " events)";
      if (!verify->ok) std::cout << ": " << Shown(verify->error);
      std::cout << "\n";
    }
  });
}

}  // namespace

void AddStatusCommand(CLI::App& app, Context& ctx, Action& action) {
  auto* status = app.add_subcommand(
      "status", "one screen: participants, standing, what lapses, approvals, cases, lists");
  OnRun(status, action, [&ctx] { return StatusCommand(ctx); });
}

}  // namespace medmij::cli
