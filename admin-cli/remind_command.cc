// remind: one e-mail per participant whose evidence lapses within a horizon, each lapse
// reminded once, every sent reminder a journal event.
#include <cstdlib>
#include <iostream>

#include "admin-cli/commands.h"
#include "admin-cli/reminder.h"
#include "registry/domain/validate.h"

namespace medmij::cli {
namespace {

using nlohmann::json;

struct RemindOptions {
  int days = 30;
  bool dry_run = false;
  std::string sendmail;  // --sendmail, else $MEDMIJ_SENDMAIL, else kDefaultSendmail
  std::string from;      // --from, else $MEDMIJ_MAIL_FROM, else kDefaultMailFrom
};

std::string OptionOrEnv(const std::string& given, const char* variable, const char* fallback) {
  if (!given.empty()) return given;
  const char* v = std::getenv(variable);
  return v != nullptr && *v != '\0' ? v : fallback;
}

// The reminders due: evidence of a participant that is not terminated that still counts and
// lapses within the horizon (what no longer counts is a compliance case, not a reminder).
Result<std::vector<Reminder>> RemindersDue(Context& ctx, Time horizon) {
  auto txn = ctx.BeginRead();
  if (!txn.ok()) return txn.status();
  std::vector<store::CorruptRecord> corrupt;
  MEDMIJ_ASSIGN_OR_RETURN(auto participants, (*txn)->AllParticipants(&corrupt));
  ctx.ReportSkipped(corrupt);
  std::vector<Reminder> out;
  for (auto& p : participants) {
    if (p.status == Lifecycle::kTerminated) continue;
    Reminder r{p.id, p.legal_name, p.email, {}};
    for (auto& l : policy::LapsingEvidence(p, ctx.now, horizon)) {
      if (l.at) r.lapses.push_back(std::move(l));
    }
    if (!r.lapses.empty()) out.push_back(std::move(r));
  }
  return out;
}

// "certificate NEN-1 (Certifier BV) lapses 2026-12-31T00:00:00.000Z; ..."
std::string LapsesText(const Reminder& r) {
  std::string text;
  for (const auto& l : r.lapses) {
    if (!text.empty()) text += "; ";
    text.append(policy::ToString(l.kind)).append(" ").append(l.what).append(" lapses ");
    text += FormatTime(*l.at);
  }
  return text;
}

json LapsesJson(const Reminder& r) {
  json out = json::array();
  for (const auto& l : r.lapses) {
    out.push_back(
        {{"kind", policy::ToString(l.kind)}, {"what", l.what}, {"at", FormatTime(*l.at)}});
  }
  return out;
}

// Sends `r` unless every lapse in it was reminded before, and records it: one write
// transaction, holding LMDB's writer lock from the check to the record so that two runs at once
// cannot both send. A failing sendmail records nothing. Leaves in `r` the lapses it sent;
// returns the event's seq, or 0 when there was nothing left to send.
Result<uint64_t> SendAndRecord(Context& ctx, store::Store& store, Reminder& r,
                               const std::string& sendmail, const std::string& from) {
  MEDMIJ_ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
  std::vector<policy::EvidenceLapse> fresh;
  for (auto& l : r.lapses) {
    MEDMIJ_ASSIGN_OR_RETURN(auto sent,
                            txn->GetRaw(store::Table::kCounters, ReminderKey(r.participant, l)));
    if (!sent) fresh.push_back(std::move(l));
  }
  r.lapses = std::move(fresh);
  if (r.lapses.empty()) return uint64_t{0};
  for (const auto& l : r.lapses) {
    MEDMIJ_RETURN_IF_ERROR(txn->NextCounter(ReminderKey(r.participant, l)).status());
  }
  MEDMIJ_RETURN_IF_ERROR(Sendmail(sendmail, RenderReminder(r, from, ctx.now)));
  auto seq = txn->Commit(store::EventMeta{ctx.now, ctx.operator_name, "remind",
                                          "participant:" + r.participant,
                                          "reminder to " + r.email + ": " + LapsesText(r)});
  if (!seq.ok()) {
    // Handed to sendmail but not recorded: the next run sends it again rather than never.
    return seq.status().WithContext("sent but not recorded");
  }
  return *seq;
}

int Remind(Context& ctx, const RemindOptions& o) {
  const std::string sendmail = OptionOrEnv(o.sendmail, "MEDMIJ_SENDMAIL", kDefaultSendmail);
  const std::string from = OptionOrEnv(o.from, "MEDMIJ_MAIL_FROM", kDefaultMailFrom);
  if (Status s = ValidateEmail(from, "--from"); !s.ok()) return ctx.Fail(s);
  auto st = ctx.OpenStore();
  if (!st.ok()) return ctx.Fail(st.status());
  MEDMIJ_ASSIGN_OR_FAIL(ctx, auto due, RemindersDue(ctx, ctx.now + Days(o.days)));

  json reminders = json::array();
  json skipped = json::array();
  Status first_error;
  for (auto& r : due) {
    json entry{{"participant", r.participant}, {"email", r.email}, {"lapses", LapsesJson(r)}};
    if (r.email.empty()) {
      skipped.push_back({{"participant", r.participant}, {"reason", "no contact e-mail recorded"}});
      std::cerr << "medmij-admin: remind: " << Shown(r.participant)
                << ": no contact e-mail recorded; not reminded\n";
      continue;
    }
    if (o.dry_run) {
      const std::string message = RenderReminder(r, from, ctx.now);
      if (!ctx.json) std::cout << "--- reminder to " << Shown(r.email) << "\n" << message << "\n";
      entry["message"] = message;
      reminders.push_back(entry);
      continue;
    }
    auto seq = SendAndRecord(ctx, **st, r, sendmail, from);
    if (!seq.ok()) {
      std::cerr << "medmij-admin: remind " << Shown(r.participant) << ": "
                << Shown(seq.status().message()) << "\n";
      if (first_error.ok()) first_error = seq.status();
      continue;
    }
    if (*seq == 0) continue;  // every lapse in it was reminded before
    entry["lapses"] = LapsesJson(r);
    entry["event"] = *seq;
    reminders.push_back(entry);
    if (!ctx.json) {
      std::cout << "reminded " << Shown(r.participant) << " at " << Shown(r.email) << " (event "
                << *seq << ")\n";
    }
  }
  if (ctx.json) {
    std::cout << json{{"ok", first_error.ok()},
                      {"dry_run", o.dry_run},
                      {"reminders", reminders},
                      {"skipped", skipped}}
                     .dump(2)
              << "\n";
  } else if (reminders.empty() && first_error.ok()) {
    std::cout << "no reminders to send\n";
  }
  return first_error.ok() ? kExitOk : ExitCodeFor(first_error);
}

}  // namespace

void AddRemindCommand(CLI::App& app, Context& ctx, Action& action) {
  auto* remind = app.add_subcommand(
      "remind", "e-mail each participant whose evidence lapses soon (each lapse once)");
  auto o = std::make_shared<RemindOptions>();
  remind->add_option("--within", o->days, "days ahead (default 30)")->check(CLI::Range(0, 3650));
  remind->add_flag("--dry-run", o->dry_run, "print the messages instead of sending them");
  remind->add_option("--sendmail", o->sendmail,
                     "mail command, words split at spaces (default: $MEDMIJ_SENDMAIL, else "
                     "/usr/sbin/sendmail -t)");
  remind->add_option("--from", o->from,
                     "sender address (default: $MEDMIJ_MAIL_FROM, else naleving@medmij.nl)");
  OnRun(remind, action, [&ctx, o] { return Remind(ctx, *o); });
}

}  // namespace medmij::cli
