// Reminder e-mails to participants whose compliance evidence lapses (`medmij-admin remind`).
//
// The Dutch text is admin-cli/templates/herinnering.nl.mustache, embedded in the binary at build
// time (cmake/EmbedText.cmake) and rendered with kainjow::mustache: reminder.cc is the only code
// that includes it. Messages go to the system's sendmail interface (`sendmail -t`: recipients
// from the headers), which every MTA on Debian provides.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/status.h"
#include "registry/common/time.h"
#include "registry/domain/policy.h"

namespace medmij::cli {

inline constexpr const char* kDefaultSendmail = "/usr/sbin/sendmail -t";
inline constexpr const char* kDefaultMailFrom = "naleving@medmij.nl";

struct Reminder {
  std::string participant;                    // id
  std::string name;                           // legal name
  std::string email;                          // the recipient
  std::vector<policy::EvidenceLapse> lapses;  // each with its instant (`at` set)
};

// The whole message: From, To, Subject (RFC 2047 encoded when not ASCII), Date (`now`),
// MIME-Version, Content-Type text/plain UTF-8, then the rendered template; lines end in LF
// (sendmail's input convention). REQUIRES: `r.email` and `from` are valid addresses
// (ValidateEmail: no spaces or line breaks), `r.lapses` is not empty and each has `at`.
std::string RenderReminder(const Reminder& r, std::string_view from, Time now);

inline constexpr std::chrono::seconds kDefaultSendmailTimeout{60};

// Runs `command` (words split at spaces, no shell; the first found on PATH unless it has a
// slash; in a process group of its own) with `message` on its standard input, and waits for it
// at most `timeout` from the start. Ok when it exits 0 in time; kIoError naming the command and
// its exit status or signal otherwise, or, when it has not finished in time, naming the timeout
// after killing its process group (what it did with the message is unknown: the caller treats
// it as not sent); kInvalidArgument when `command` is empty.
Status Sendmail(const std::string& command, std::string_view message,
                std::chrono::seconds timeout = kDefaultSendmailTimeout);

// Names one lapse of a participant's evidence: "certificate/2026-12-31T00:00:00.000Z" (kind and
// instant; "none" for a lapse without one).
std::string LapseId(const policy::EvidenceLapse& lapse);

// The counter (store::Table::kCounters) whose first increment records that `lapse` of
// `participant` was reminded: one per lapse instant, so a renewal that lapses later is reminded
// again, and one lapse never twice. "reminder/ID/LAPSE-ID".
std::string ReminderKey(std::string_view participant, std::string_view lapse_id);
std::string ReminderKey(std::string_view participant, const policy::EvidenceLapse& lapse);

// A claim: a run of `remind` is handing lapse `lapse_id` of `participant` to sendmail, with no
// transaction open. A claim is made by incrementing ClaimKey (made at `claimed_at`, FormatTime of
// the claiming run's clock) and is open while that counter is above ReleaseKey's of the same
// arguments (missing: 0) and the lapse's ReminderKey is not recorded: recording the reminder
// ends it as sent, incrementing ReleaseKey to the claim's value ends it as not sent. Counters
// only grow (a counter has no journaled erase), so a second claim at the same instant counts on.
// "reminder-claim/ID/LAPSE-ID/CLAIMED-AT", "reminder-release/ID/LAPSE-ID/CLAIMED-AT"; the claims
// of a participant are the keys that begin with ClaimKeyPrefix.
std::string ClaimKeyPrefix(std::string_view participant);
std::string ClaimKey(std::string_view participant, std::string_view lapse_id,
                     std::string_view claimed_at);
std::string ReleaseKey(std::string_view participant, std::string_view lapse_id,
                       std::string_view claimed_at);

}  // namespace medmij::cli
