// report: the monthly report for the board and auditors, read from the data dir alone (the
// journal and the list archive): report.json, report.html and report.pdf in the --out dir.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "admin-cli/child_process.h"
#include "admin-cli/commands.h"
#include "admin-cli/report_html.h"
#include "registry/common/atomic_file.h"
#include "registry/ops/report.h"

extern char** environ;

namespace medmij::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

inline constexpr const char* kDefaultChromium = "chromium";
inline constexpr int kChromiumTimeoutSeconds = 120;

struct ReportOptions {
  std::string month;
  std::string out;
  std::string chromium;  // --chromium, else $MEDMIJ_CHROMIUM, else kDefaultChromium
};

std::string Chromium(const std::string& given) {
  if (!given.empty()) return given;
  const char* v = std::getenv("MEDMIJ_CHROMIUM");
  return v != nullptr && *v != '\0' ? v : kDefaultChromium;
}

// A private, empty directory removed with its contents on destruction (Chromium's profile).
class ScratchDir {
 public:
  static Result<ScratchDir> Make() {
    std::string tmpl = (fs::temp_directory_path() / "medmij-chromium-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      return Status::IoError(tmpl + ": cannot create: " + std::strerror(errno));
    }
    return ScratchDir(tmpl);
  }
  ScratchDir(ScratchDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit ScratchDir(fs::path p) : path_(std::move(p)) {}
  fs::path path_;
};

// Prints `html` (a file) to `pdf` with headless Chromium: no network is needed (the document
// loads nothing), the profile is a fresh scratch directory, and the PDF appears whole or not at
// all (written under a temp name, checked, renamed). kIoError naming the command otherwise.
Status PrintToPdf(const std::string& chromium, const fs::path& html, const fs::path& pdf) {
  MEDMIJ_ASSIGN_OR_RETURN(ScratchDir profile, ScratchDir::Make());
  const fs::path tmp = pdf.parent_path() / ("." + pdf.filename().string() + ".tmp");
  std::error_code ec;
  fs::remove(tmp, ec);
  std::vector<std::string> args = {chromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-dev-shm-usage",
                                   "--no-first-run",
                                   "--disable-extensions",
                                   "--disable-background-networking",
                                   "--disable-sync",
                                   "--no-pdf-header-footer",
                                   "--user-data-dir=" + profile.path().string(),
                                   "--print-to-pdf=" + tmp.string(),
                                   "file://" + html.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // Chromium talks on stderr (D-Bus, GPU notices): its output goes to a log in the profile,
  // and it runs in a process group of its own so that a hung one is ended with its helpers.
  const std::string log = (profile.path() / "chromium.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  auto pid = SpawnInOwnGroup(argv, &actions);
  posix_spawn_file_actions_destroy(&actions);
  if (!pid.ok()) {
    return Status::IoError("PDF: cannot run Chromium '" + chromium +
                           "': " + pid.status().message() +
                           " (give --chromium PATH or set MEDMIJ_CHROMIUM)");
  }
  auto waited = WaitOrKillGroup(
      *pid, std::chrono::steady_clock::now() + std::chrono::seconds(kChromiumTimeoutSeconds));
  if (!waited.ok()) {
    KillGroupAndReap(*pid);
    return waited.status().WithContext("PDF: waiting for Chromium");
  }
  kill(-*pid, SIGKILL);  // helpers left behind by a Chromium that exited
  const bool timed_out = !waited->has_value();
  const int wstatus = waited->value_or(0);
  if (timed_out) {
    fs::remove(tmp, ec);
    return Status::IoError("PDF: Chromium '" + chromium + "' did not finish within " +
                           std::to_string(kChromiumTimeoutSeconds) + " s");
  }
  if (WIFSIGNALED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    fs::remove(tmp, ec);
    return Status::IoError("PDF: Chromium '" + chromium + "' " +
                           (WIFSIGNALED(wstatus)
                                ? "was killed by signal " + std::to_string(WTERMSIG(wstatus))
                                : "exited with status " + std::to_string(WEXITSTATUS(wstatus))));
  }
  std::string head(5, '\0');
  if (FILE* f = std::fopen(tmp.c_str(), "rb")) {
    head.resize(std::fread(head.data(), 1, head.size(), f));
    std::fclose(f);
  } else {
    head.clear();
  }
  if (head != "%PDF-") {
    fs::remove(tmp, ec);
    return Status::IoError("PDF: Chromium '" + chromium + "' wrote no PDF");
  }
  fs::rename(tmp, pdf, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status::IoError(pdf.string() + ": cannot rename into place: " + ec.message());
  }
  return Status::Ok();
}

int ReportCommand(Context& ctx, const ReportOptions& o) {
  // Everything is checked before anything is written.
  auto month = ops::ParseReportMonth(o.month, "--month");
  if (!month.ok()) return ctx.Fail(month.status());
  if (month->end > ctx.now) {
    return ctx.Fail(Status::Invalid("--month: " + month->name + " has not ended yet (it ends " +
                                    FormatTime(month->end) + ", now is " + FormatTime(ctx.now) +
                                    ")"));
  }
  if (o.out.empty()) return ctx.Fail(Status::Invalid("--out: no directory given"));
  auto st = ctx.OpenStore();
  if (!st.ok()) return ctx.Fail(st.status());
  MEDMIJ_ASSIGN_OR_FAIL(ctx, const ops::MonthReport report, ops::BuildMonthReport(**st, *month));

  json doc = ops::ToJson(report);
  doc["generated_at"] = FormatTime(ctx.now);
  const std::string html = RenderReportHtml(report, ctx.now);

  std::error_code ec;
  const fs::path out = fs::absolute(o.out, ec);
  if (ec) return ctx.Fail(Status::IoError("--out: " + o.out + ": " + ec.message()));
  if (fs::exists(out, ec) && !fs::is_directory(out, ec)) {
    return ctx.Fail(Status::Invalid("--out: " + out.string() + " is not a directory"));
  }
  fs::create_directories(out, ec);
  if (ec) return ctx.Fail(Status::IoError("--out: " + out.string() + ": " + ec.message()));
  Status written = WriteFileAtomically(out / "report.json", doc.dump(2) + "\n");
  if (written.ok()) written = WriteFileAtomically(out / "report.html", html);
  if (!written.ok()) return ctx.Fail(written);
  Status pdf = PrintToPdf(Chromium(o.chromium), out / "report.html", out / "report.pdf");
  if (!pdf.ok()) {
    fs::remove(out / "report.pdf", ec);  // a PDF of an earlier run would not match the page
    return ctx.Fail(Status::IoError(
        pdf.message() + "; report.html and report.json are written to " + out.string()));
  }
  return ctx.Print(doc, [&] {
    std::cout << "report " << month->name << " (UTC) written to " << out.string()
              << ": report.html, report.pdf, report.json\n";
  });
}

}  // namespace

void AddReportCommand(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<ReportOptions>();
  auto* report = app.add_subcommand(
      "report", "the monthly report (UTC): report.html, report.pdf and report.json in --out");
  report->add_option("--month", o->month, "YYYY-MM, a month that has ended (UTC)")->required();
  report->add_option("--out", o->out, "directory to write the report into (created)")->required();
  report->add_option("--chromium", o->chromium,
                     "Chromium to print the PDF with (default $MEDMIJ_CHROMIUM, else chromium)");
  OnRun(report, action, [&ctx, o] { return ReportCommand(ctx, *o); });
}

}  // namespace medmij::cli
