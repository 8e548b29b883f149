// Reminder e-mails to participants whose compliance evidence lapses (`medmij-admin remind`).
//
// The Dutch text is admin-cli/templates/herinnering.nl.mustache, embedded in the binary at build
// time (cmake/EmbedText.cmake) and rendered with kainjow::mustache: reminder.cc is the only code
// that includes it. Messages go to the system's sendmail interface (`sendmail -t`: recipients
// from the headers), which every MTA on Debian provides.
#pragma once

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

// Runs `command` (words split at spaces, no shell; the first found on PATH unless it has a
// slash) with `message` on its standard input. Ok when it exits 0; kIoError naming the command
// and its exit status or signal otherwise; kInvalidArgument when `command` is empty.
Status Sendmail(const std::string& command, std::string_view message);

// The counter (store::Table::kCounters) whose first increment records that `lapse` of
// `participant` was reminded: one per lapse instant, so a renewal that lapses later is reminded
// again, and one lapse never twice.
std::string ReminderKey(std::string_view participant, const policy::EvidenceLapse& lapse);

}  // namespace medmij::cli
