#include "admin-cli/reminder.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include <kainjow/mustache.hpp>

#include "admin-cli/child_process.h"
#include "registry/common/base64.h"

extern char** environ;

namespace medmij::cli {

// Generated at build time from admin-cli/templates/herinnering.nl.mustache.
std::string_view ReminderTemplate();

namespace {

using std::chrono::floor;

// "31 december 2026".
std::string DutchDate(Time t) {
  static constexpr const char* kMonths[] = {"januari",   "februari", "maart",    "april",
                                            "mei",       "juni",     "juli",     "augustus",
                                            "september", "oktober",  "november", "december"};
  const std::chrono::year_month_day ymd{floor<Days>(t)};
  return std::to_string(static_cast<unsigned>(ymd.day())) + " " +
         kMonths[static_cast<unsigned>(ymd.month()) - 1] + " " +
         std::to_string(static_cast<int>(ymd.year()));
}

// Until when evidence counts, for people: the last whole day when it lapses at midnight
// (a certificate `--valid-until 2026-12-31` lapses at 2027-01-01T00:00Z), else the instant.
std::string ValidThrough(Time lapse) {
  if (floor<Days>(lapse) == lapse) return "t/m " + DutchDate(lapse - Days(1));
  return "tot " + FormatTijdstempel(lapse) + " (UTC)";
}

// The Dutch name of the evidence, a short form for the subject, and what is asked for.
struct KindText {
  const char* wat;
  const char* kort;
  const char* nodig;
};
KindText TextFor(policy::EvidenceKind k) {
  if (k == policy::EvidenceKind::kCertificate) {
    return {"NEN 7510-certificaat", "NEN 7510-certificaat",
            "een nieuw of verlengd NEN 7510-certificaat van een geaccrediteerde certificerende "
            "instelling (RvA of NEN-licentie), opgenomen in het register van NEN"};
  }
  return {"Aanvullende auditverklaring", "auditverklaring",
          "een nieuwe aanvullende auditverklaring met uitkomst conform"};
}

// RFC 5322 date-time in UTC, English names whatever the locale: "Thu, 03 Dec 2026 07:12:19 +0000".
std::string MailDate(Time t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = floor<Days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{floor<std::chrono::seconds>(t - day)};
  const std::chrono::weekday wd{day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string EncodedHeader(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return "=?UTF-8?B?" + Base64Encode(text) + "?=";
  }
  return std::string(text);
}

}  // namespace

std::string LapseId(const policy::EvidenceLapse& lapse) {
  std::string id(policy::ToString(lapse.kind));
  id += '/';
  id += lapse.at ? FormatTime(*lapse.at) : std::string("none");
  return id;
}

std::string ReminderKey(std::string_view participant, std::string_view lapse_id) {
  std::string key = "reminder/";
  key.append(participant).append("/").append(lapse_id);
  return key;
}

std::string ReminderKey(std::string_view participant, const policy::EvidenceLapse& lapse) {
  return ReminderKey(participant, LapseId(lapse));
}

std::string ClaimKeyPrefix(std::string_view participant) {
  std::string key = "reminder-claim/";
  key.append(participant).append("/");
  return key;
}

std::string ClaimKey(std::string_view participant, std::string_view lapse_id,
                     std::string_view claimed_at) {
  std::string key = ClaimKeyPrefix(participant);
  key.append(lapse_id).append("/").append(claimed_at);
  return key;
}

std::string ReleaseKey(std::string_view participant, std::string_view lapse_id,
                       std::string_view claimed_at) {
  std::string key = "reminder-release/";
  key.append(participant).append("/").append(lapse_id).append("/").append(claimed_at);
  return key;
}

std::string RenderReminder(const Reminder& r, std::string_view from, Time now) {
  using kainjow::mustache::data;
  data items{data::type::list};
  std::string kort;
  for (const auto& l : r.lapses) {
    const KindText text = TextFor(l.kind);
    data item;
    item.set("wat", text.wat);
    item.set("omschrijving", l.what);
    item.set("geldig", ValidThrough(*l.at));
    item.set("nodig", text.nodig);
    items.push_back(item);
    if (kort.find(text.kort) == std::string::npos) {
      if (!kort.empty()) kort += " en ";
      kort += text.kort;
    }
  }
  data view;
  view.set("naam", r.name);
  view.set("deelnemer", r.participant);
  view.set("wat_kort", kort);
  view.set("items", items);
  kainjow::mustache::mustache tmpl{std::string(ReminderTemplate())};
  const std::string rendered = tmpl.render(view);
  // The template's first line is "Subject: ..."; the body follows a blank line.
  const size_t eol = rendered.find('\n');
  const std::string subject = rendered.substr(9, eol - 9);
  std::string body = eol == std::string::npos ? std::string() : rendered.substr(eol + 1);
  if (!body.empty() && body.front() == '\n') body.erase(0, 1);

  std::string out;
  out.append("From: Stichting MedMij <").append(from).append(">\n");
  out.append("To: ").append(r.email).append("\n");
  out.append("Subject: ").append(EncodedHeader(subject)).append("\n");
  out.append("Date: ").append(MailDate(now)).append("\n");
  out.append(
      "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
      "Content-Transfer-Encoding: 8bit\n\n");
  out.append(body);
  return out;
}

Status Sendmail(const std::string& command, std::string_view message,
                std::chrono::seconds timeout) {
  std::vector<std::string> words;
  std::istringstream split(command);
  for (std::string w; split >> w;) words.push_back(w);
  if (words.empty()) return Status::Invalid("--sendmail: no command given");
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto remaining_ms = [&deadline] {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<int64_t>(0, left.count()));
  };

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Status::IoError(std::string("sendmail: pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  // Its own process group, so that a timeout ends whatever it started as well.
  auto spawned = SpawnInOwnGroup(argv, &actions);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[0]);
  if (!spawned.ok()) {
    close(fds[1]);
    return Status::IoError("sendmail: cannot run " + words[0] + ": " + spawned.status().message());
  }
  const pid_t pid = *spawned;
  // A sendmail that exits without reading the whole message must not kill us with SIGPIPE: its
  // exit status says what went wrong.
  signal(SIGPIPE, SIG_IGN);
  fcntl(fds[1], F_SETFL, O_NONBLOCK);
  Status written;
  bool timed_out = false;
  for (size_t done = 0; done < message.size();) {
    const ssize_t n = write(fds[1], message.data() + done, message.size() - done);
    if (n >= 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      written = Status::IoError(std::string("sendmail: standard input: ") + std::strerror(errno));
      break;
    }
    pollfd p{fds[1], POLLOUT, 0};
    const int ready = poll(&p, 1, remaining_ms());
    if (ready == 0) {
      timed_out = true;
      break;
    }
    if (ready < 0 && errno != EINTR) {
      written = Status::IoError(std::string("sendmail: poll: ") + std::strerror(errno));
      break;
    }
  }
  close(fds[1]);
  // Wait for it until the deadline (what the write left of it).
  std::optional<int> waited;
  if (!timed_out) {
    auto w = WaitOrKillGroup(pid, deadline);
    if (!w.ok()) {
      KillGroupAndReap(pid);
      return w.status().WithContext("sendmail");
    }
    waited = *w;
  } else {
    KillGroupAndReap(pid);
  }
  if (!waited) {
    return Status::IoError(command + ": did not finish within " + std::to_string(timeout.count()) +
                           " s; killed (treated as not sent)");
  }
  const int wstatus = *waited;
  if (WIFSIGNALED(wstatus)) {
    return Status::IoError(command + ": killed by signal " + std::to_string(WTERMSIG(wstatus)) +
                           " (message not sent)");
  }
  if (WEXITSTATUS(wstatus) != 0) {
    return Status::IoError(command + ": exited with status " +
                           std::to_string(WEXITSTATUS(wstatus)) + " (message not sent)");
  }
  return written;
}

}  // namespace medmij::cli
