// remind: one e-mail per participant whose evidence lapses within a horizon, each lapse
// reminded once, every sent reminder a journal event; claimed before sendmail runs, so that no
// transaction is open while it does (SendAndRecord).
#include <algorithm>
#include <charconv>
#include <chrono>
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
  int sendmail_timeout = static_cast<int>(kDefaultSendmailTimeout.count());  // seconds
  std::string release_claims;  // --release-claims PARTICIPANT: only that
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

// An open claim of one lapse (reminder.h, ClaimKey).
struct OpenClaim {
  std::string lapse_id;    // LapseId
  std::string claimed_at;  // as in its key
};

uint64_t CounterValue(std::string_view raw) {
  uint64_t v = 0;
  std::from_chars(raw.data(), raw.data() + raw.size(), v);
  return v;
}

// "certificate lapsing 2026-12-31T00:00:00.000Z".
std::string LapseIdText(std::string_view lapse_id) {
  const size_t slash = lapse_id.find('/');
  std::string text(lapse_id.substr(0, slash));
  if (slash != std::string_view::npos) text.append(" lapsing ").append(lapse_id.substr(slash + 1));
  return text;
}

// The open claims of `participant`, by key. Reads the counters table.
Result<std::vector<OpenClaim>> OpenClaims(const store::Reader& txn, std::string_view participant) {
  const std::string prefix = ClaimKeyPrefix(participant);
  std::vector<std::pair<std::string, uint64_t>> claims;
  MEDMIJ_RETURN_IF_ERROR(
      txn.ForEachRaw(store::Table::kCounters, [&](std::string_view key, std::string_view value) {
        if (key.starts_with(prefix)) claims.emplace_back(key, CounterValue(value));
      }));
  std::vector<OpenClaim> out;
  for (const auto& [key, claimed] : claims) {
    const std::string_view rest = std::string_view(key).substr(prefix.size());
    const size_t slash = rest.rfind('/');
    if (slash == std::string_view::npos) {
      return Status::Corruption(
          std::string("counter ").append(key).append(": not a reminder claim key"));
    }
    OpenClaim c{std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
    MEDMIJ_ASSIGN_OR_RETURN(
        auto sent, txn.GetRaw(store::Table::kCounters, ReminderKey(participant, c.lapse_id)));
    if (sent) continue;
    MEDMIJ_ASSIGN_OR_RETURN(
        auto released,
        txn.GetRaw(store::Table::kCounters, ReleaseKey(participant, c.lapse_id, c.claimed_at)));
    if (claimed > (released ? CounterValue(*released) : 0)) out.push_back(std::move(c));
  }
  return out;
}

// Ends `claims` of `participant` as not sent, each that is still open, in one write transaction
// with one "remind release" event; returns its seq (0 when none was open any more).
Result<uint64_t> ReleaseClaims(Context& ctx, store::Store& store, std::string_view participant,
                               const std::vector<OpenClaim>& claims, const std::string& reason) {
  MEDMIJ_ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
  MEDMIJ_ASSIGN_OR_RETURN(auto open, OpenClaims(*txn, participant));
  for (const auto& c : claims) {
    for (const auto& o : open) {
      if (o.lapse_id == c.lapse_id && o.claimed_at == c.claimed_at) {
        MEDMIJ_RETURN_IF_ERROR(
            txn->NextCounter(ReleaseKey(participant, c.lapse_id, c.claimed_at)).status());
      }
    }
  }
  std::string subject = "participant:";
  subject.append(participant);
  return txn->Commit(
      store::EventMeta{ctx.now, ctx.operator_name, "remind release", subject, reason});
}

// Sends `r` unless every lapse in it was reminded before or is claimed by another run, and
// records it, in three steps so that no transaction (LMDB's one writer lock) is held while
// sendmail runs:
//  1. claim: one short write transaction drops the lapses reminded before, moves to `held` those
//     with an open claim (a run sending them now, or one that stopped between 1 and 3: sent or
//     not, nobody knows), and claims the rest ("remind claim" event). LMDB has one writer at a
//     time and each looks before it claims, so two runs cannot claim one lapse.
//  2. send, no transaction open, waiting for sendmail at most `timeout`.
//  3. record the reminder (the ReminderKey counters, the "remind" event), which ends the claims;
//     or, when sendmail failed, release them ("remind release" event) so the next run sends.
// Leaves in `r` the lapses it sent; returns the "remind" event's seq, or 0 when there was
// nothing left to send.
Result<uint64_t> SendAndRecord(Context& ctx, store::Store& store, Reminder& r,
                               const std::string& sendmail, const std::string& from,
                               std::chrono::seconds timeout,
                               std::vector<std::pair<policy::EvidenceLapse, OpenClaim>>& held) {
  const std::string subject = std::string("participant:").append(r.participant);
  const std::string claimed_at = FormatTime(ctx.now);
  {
    MEDMIJ_ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
    MEDMIJ_ASSIGN_OR_RETURN(auto open, OpenClaims(*txn, r.participant));
    std::vector<policy::EvidenceLapse> fresh;
    for (auto& l : r.lapses) {
      const std::string id = LapseId(l);
      MEDMIJ_ASSIGN_OR_RETURN(auto sent,
                              txn->GetRaw(store::Table::kCounters, ReminderKey(r.participant, id)));
      if (sent) continue;
      auto claim = std::find_if(open.begin(), open.end(),
                                [&id](const OpenClaim& c) { return c.lapse_id == id; });
      if (claim != open.end()) {
        held.emplace_back(std::move(l), *claim);
        continue;
      }
      fresh.push_back(std::move(l));
    }
    r.lapses = std::move(fresh);
    if (r.lapses.empty()) return uint64_t{0};
    for (const auto& l : r.lapses) {
      MEDMIJ_RETURN_IF_ERROR(
          txn->NextCounter(ClaimKey(r.participant, LapseId(l), claimed_at)).status());
    }
    MEDMIJ_RETURN_IF_ERROR(
        txn->Commit(store::EventMeta{ctx.now, ctx.operator_name, "remind claim", subject,
                                     std::string("claimed for a reminder to ")
                                         .append(r.email)
                                         .append(": ")
                                         .append(LapsesText(r))})
            .status());
  }

  if (Status sent = Sendmail(sendmail, RenderReminder(r, from, ctx.now), timeout); !sent.ok()) {
    std::vector<OpenClaim> mine;
    for (const auto& l : r.lapses) mine.push_back({LapseId(l), claimed_at});
    std::string reason = "not sent (";
    reason.append(sent.message()).append("), claims released: ").append(LapsesText(r));
    auto released = ReleaseClaims(ctx, store, r.participant, mine, reason);
    if (!released.ok()) {
      return Status::IoError(sent.message() + "; its claims stay (" + released.status().message() +
                             "): release them with " + "medmij-admin remind --release-claims " +
                             r.participant);
    }
    return sent;
  }

  auto seq = [&]() -> Result<uint64_t> {
    MEDMIJ_ASSIGN_OR_RETURN(auto txn, store.BeginWrite());
    for (const auto& l : r.lapses) {
      MEDMIJ_RETURN_IF_ERROR(txn->NextCounter(ReminderKey(r.participant, l)).status());
    }
    return txn->Commit(store::EventMeta{ctx.now, ctx.operator_name, "remind", subject,
                                        "reminder to " + r.email + ": " + LapsesText(r)});
  }();
  if (!seq.ok()) {
    // Handed to sendmail but not recorded: its claims stay open, so the next run reports them
    // instead of sending again or never.
    return seq.status().WithContext("sent but not recorded (its claims stay open)");
  }
  return *seq;
}

// One line on stderr for a lapse held by an open claim.
void ReportHeld(const Reminder& r, const policy::EvidenceLapse& l, const OpenClaim& c) {
  std::cerr << "medmij-admin: remind: " << Shown(r.participant) << ": " << policy::ToString(l.kind)
            << " " << Shown(l.what) << " lapses " << FormatTime(*l.at) << ": claimed at "
            << Shown(c.claimed_at)
            << " by a run that did not record it (still sending, or stopped): it may or may not "
               "have been sent; not sent again until released (medmij-admin remind "
               "--release-claims "
            << Shown(r.participant) << ")\n";
}

// remind --release-claims PARTICIPANT: ends every open claim of the participant as not sent.
int ReleaseCommand(Context& ctx, const std::string& participant) {
  if (Status s = ValidateParticipantId(participant, "--release-claims"); !s.ok()) {
    return ctx.Fail(s);
  }
  auto st = ctx.OpenStore();
  if (!st.ok()) return ctx.Fail(st.status());
  std::vector<OpenClaim> open;
  {
    MEDMIJ_ASSIGN_OR_FAIL(ctx, auto txn, ctx.BeginRead());
    MEDMIJ_ASSIGN_OR_FAIL(ctx, auto p, txn->GetParticipant(participant));
    if (!p)
      return ctx.Fail(Status::NotFound(
          std::string("participant '").append(participant).append("' does not exist")));
    MEDMIJ_ASSIGN_OR_FAIL(ctx, open, OpenClaims(*txn, participant));
  }
  std::string reason =
      "claims released by the operator, so that the next run sends them (whether they were "
      "sent is not known):";
  json released = json::array();
  for (size_t i = 0; i < open.size(); ++i) {
    reason.append(i == 0 ? " " : "; ").append(LapseIdText(open[i].lapse_id));
    reason.append(" claimed at ").append(open[i].claimed_at);
    released.push_back({{"lapse", open[i].lapse_id}, {"claimed_at", open[i].claimed_at}});
  }
  uint64_t seq = 0;
  if (!open.empty()) {
    MEDMIJ_ASSIGN_OR_FAIL(ctx, seq, ReleaseClaims(ctx, **st, participant, open, reason));
  }
  return ctx.Print(
      json{{"ok", true}, {"participant", participant}, {"released", released}, {"event", seq}},
      [&] {
        if (open.empty()) {
          std::cout << "no open reminder claims of " << Shown(participant) << "\n";
          return;
        }
        for (const auto& c : open) {
          std::cout << "released " << Shown(participant) << " " << Shown(LapseIdText(c.lapse_id))
                    << " claimed at " << Shown(c.claimed_at) << "\n";
        }
        std::cout << "event " << seq << "; the next remind sends them again\n";
      });
}

int Remind(Context& ctx, const RemindOptions& o) {
  if (!o.release_claims.empty()) return ReleaseCommand(ctx, o.release_claims);
  const std::string sendmail = OptionOrEnv(o.sendmail, "MEDMIJ_SENDMAIL", kDefaultSendmail);
  const std::string from = OptionOrEnv(o.from, "MEDMIJ_MAIL_FROM", kDefaultMailFrom);
  if (Status s = ValidateEmail(from, "--from"); !s.ok()) return ctx.Fail(s);
  auto st = ctx.OpenStore();
  if (!st.ok()) return ctx.Fail(st.status());
  MEDMIJ_ASSIGN_OR_FAIL(ctx, auto due, RemindersDue(ctx, ctx.now + Days(o.days)));

  json reminders = json::array();
  json skipped = json::array();
  Status first_error;
  bool any_held = false;
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
    std::vector<std::pair<policy::EvidenceLapse, OpenClaim>> held;
    auto seq =
        SendAndRecord(ctx, **st, r, sendmail, from, std::chrono::seconds(o.sendmail_timeout), held);
    for (const auto& [l, c] : held) ReportHeld(r, l, c);
    any_held = any_held || !held.empty();
    if (!seq.ok()) {
      std::cerr << "medmij-admin: remind " << Shown(r.participant) << ": "
                << Shown(seq.status().message()) << "\n";
      if (first_error.ok()) first_error = seq.status();
      continue;
    }
    if (*seq == 0) continue;  // every lapse in it was reminded before or is held by a claim
    entry["lapses"] = LapsesJson(r);
    entry["event"] = *seq;
    reminders.push_back(entry);
    if (!ctx.json) {
      std::cout << "reminded " << Shown(r.participant) << " at " << Shown(r.email) << " (event "
                << *seq << ")\n";
    }
  }
  if (any_held && first_error.ok()) {
    first_error = Status::Refused("reminders held by open claims");
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
  remind
      ->add_option("--sendmail-timeout", o->sendmail_timeout,
                   "seconds to wait for the mail command before killing it (default 60)")
      ->check(CLI::Range(1, 3600));
  remind->add_option("--release-claims", o->release_claims,
                     "end the open claims of PARTICIPANT (left by a run that stopped before it "
                     "recorded them) as not sent, so that the next run sends them; sends nothing");
  OnRun(remind, action, [&ctx, o] { return Remind(ctx, *o); });
}

}  // namespace medmij::cli
