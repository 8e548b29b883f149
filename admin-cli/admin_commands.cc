// init, import, journal verify|export, check, backup
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <streambuf>

#include "admin-cli/commands.h"
#include "registry/common/progress.h"
#include "registry/domain/json.h"
#include "registry/domain/policy.h"
#include "registry/ops/import.h"
#include "registry/ops/verify_record.h"
#include "registry/store/store.h"

namespace medmij::cli {
namespace {

using nlohmann::json;

// Records the outcome of a journal verification for `status` (registry/ops/verify_record.h): a
// record that cannot be written is said on stderr and changes nothing else (it is a hint).
void RecordVerify(const Context& ctx, const store::Store& store, const Status& outcome,
                  uint64_t events) {
  // A reader who may not write the data dir verifies without leaving a trace.
  if (store.read_only()) return;
  const ops::VerifyRecord record{ctx.now, ctx.operator_name, "journal verify", outcome.ok(),
                                 events,  outcome.message()};
  if (Status s = ops::RecordVerify(store.dir(), record); !s.ok()) {
    std::cerr << "medmij-admin: journal verify: outcome not recorded for 'status': "
              << Shown(s.message()) << "\n";
  }
}

// Runs `work` with a progress bar labelled `label` on stderr (drawn at a terminal only), cleared
// before it returns, so what the command prints next starts on a clean line.
template <typename Work>
Status WithProgress(const std::string& label, Work work) {
  Progress progress(label, 0);
  // Not at a terminal: no callback, the work runs exactly as without a bar.
  return work(progress.enabled() ? progress.Callback() : ProgressFn());
}

// Reads through `source` and reports the bytes read so far to `progress` (import's bar: the
// bytes of the file are the work).
class CountingBuf : public std::streambuf {
 public:
  CountingBuf(std::streambuf* source, Progress& progress) : source_(source), progress_(progress) {}

 protected:
  int_type underflow() override {
    const std::streamsize n = source_->sgetn(buf_, sizeof buf_);
    if (n <= 0) return traits_type::eof();
    setg(buf_, buf_, buf_ + n);
    read_ += static_cast<uint64_t>(n);
    progress_.Update(read_);
    return traits_type::to_int_type(buf_[0]);
  }

 private:
  std::streambuf* source_;
  Progress& progress_;
  char buf_[1 << 16];
  uint64_t read_ = 0;
};

// The size of a regular file on `fd` (a progress total); 0 otherwise (a pipe, a terminal).
uint64_t RegularFileSize(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

void AddAdminCommands(CLI::App& app, Context& ctx, Action& action) {
  {
    auto* init = app.add_subcommand("init", "create the registry's data directory");
    OnRun(init, action, [&ctx] {
      auto st = ctx.OpenStore(/*create=*/true);
      if (!st.ok()) return ctx.Fail(st.status());
      auto txn = (*st)->BeginRead();
      if (!txn.ok()) return ctx.Fail(txn.status());
      MEDMIJ_ASSIGN_OR_FAIL(ctx, const uint64_t events, (*txn)->JournalLength());
      json doc{{"ok", true}, {"data_dir", ctx.data_dir}, {"journal_events", events}};
      return ctx.Print(doc, [&] {
        std::cout << "registry ready in " << ctx.data_dir << " (" << events << " journal events)\n";
      });
    });
  }
  {
    auto* import = app.add_subcommand("import", "bulk import from JSON Lines, all or nothing");
    auto file = std::make_shared<std::string>();
    import->add_option("FILE", *file, "JSON Lines file ('-' for stdin)")->required();
    OnRun(import, action, [&ctx, file] {
      std::ifstream stream;
      std::istream* in = &std::cin;
      uint64_t size = RegularFileSize(STDIN_FILENO);
      if (*file != "-") {
        stream.open(*file);
        if (!stream) return ctx.Fail(Status::Invalid("FILE: cannot open " + *file));
        in = &stream;
        std::error_code ec;
        size =
            std::filesystem::is_regular_file(*file, ec) ? std::filesystem::file_size(*file, ec) : 0;
        if (ec) size = 0;
      }
      auto st = ctx.OpenStore();
      if (!st.ok()) return ctx.Fail(st.status());
      auto txn = (*st)->BeginWrite();
      if (!txn.ok()) return ctx.Fail(txn.status());
      auto result = [&] {
        Progress progress("import", size);
        CountingBuf counting(in->rdbuf(), progress);
        std::istream counted(&counting);
        return ops::Import(**txn, ctx.actor(), counted, *file);
      }();
      if (!result.ok()) return ctx.Fail(result.status());
      if (!result->ok()) {
        for (const auto& e : result->errors) std::cerr << "medmij-admin: " << Shown(e) << "\n";
        if (ctx.json) {
          std::cout
              << json{{"ok", false}, {"errors", result->errors}, {"exit_code", kExitUsage}}.dump(2)
              << "\n";
        }
        std::cerr << "medmij-admin: import aborted: nothing was written\n";
        return kExitUsage;
      }
      store::EventMeta meta{ctx.now, ctx.operator_name, "import", "import:" + *file, *file};
      auto seq = (*txn)->Commit(meta);
      if (!seq.ok()) return ctx.Fail(seq.status());
      json doc{{"ok", true},
               {"lines", result->lines},
               {"applied", result->applied},
               {"last_event", *seq}};
      return ctx.Print(doc, [&] {
        std::cout << "imported " << result->applied << " records from " << *file << "\n";
      });
    });
  }
  {
    auto* journal = app.add_subcommand("journal", "the tamper-evident journal");
    journal->require_subcommand(1);
    auto* verify = journal->add_subcommand("verify", "check every event's hash and the chain");
    OnRun(verify, action, [&ctx] {
      auto st = ctx.OpenStore();
      if (!st.ok()) return ctx.Fail(st.status());
      Status s = WithProgress("journal verify",
                              [&](const ProgressFn& p) { return (*st)->VerifyJournal(p); });
      if (!s.ok()) {
        RecordVerify(ctx, **st, s, 0);
        return ctx.Fail(s);
      }
      auto txn = (*st)->BeginRead();
      if (!txn.ok()) return ctx.Fail(txn.status());
      MEDMIJ_ASSIGN_OR_FAIL(ctx, const uint64_t n, (*txn)->JournalLength());
      RecordVerify(ctx, **st, s, n);
      return ctx.Print(json{{"ok", true}, {"events", n}},
                       [&] { std::cout << "journal intact: " << n << " events\n"; });
    });
    auto* exp = journal->add_subcommand("export", "every event as JSON Lines on stdout");
    auto from = std::make_shared<uint64_t>(1);
    exp->add_option("--from", *from, "first event (seq)");
    OnRun(exp, action, [&ctx, from] {
      auto txn = ctx.BeginRead();
      if (!txn.ok()) return ctx.Fail(txn.status());
      Status read = (*txn)->ForEachStoredEvent(
          *from, [](const store::JournalEvent&, std::string_view stored) {
            std::cout << stored << "\n";  // the stored bytes, which the hash covers
            return static_cast<bool>(std::cout);
          });
      std::cout.flush();
      if (!read.ok()) return ctx.Fail(read);
      return std::cout ? kExitOk : ctx.Fail(Status::IoError("stdout: write failed"));
    });
  }
  {
    auto* check = app.add_subcommand("check", "replay the journal and compare with the state");
    OnRun(check, action, [&ctx] {
      auto st = ctx.OpenStore();
      if (!st.ok()) return ctx.Fail(st.status());
      // Every record that does not decode first, each on its own line: the replay below
      // stops at the first difference.
      auto txn = (*st)->BeginRead();
      if (!txn.ok()) return ctx.Fail(txn.status());
      MEDMIJ_ASSIGN_OR_FAIL(ctx, const auto corrupt, (*txn)->CorruptRecords());
      txn->reset();
      for (const auto& c : corrupt) {
        std::cerr << "medmij-admin: check: " << Shown(c.table + "/" + c.key)
                  << ": stored record does not decode: " << Shown(c.reason) << "\n";
      }
      if (!corrupt.empty()) {
        return ctx.Fail(
            Status::Corruption(std::to_string(corrupt.size()) + " stored record(s) do not decode"));
      }
      if (Status s = WithProgress("check: journal",
                                  [&](const ProgressFn& p) { return (*st)->VerifyJournal(p); });
          !s.ok()) {
        return ctx.Fail(s);
      }
      if (Status s =
              WithProgress("check: replay", [&](const ProgressFn& p) { return (*st)->Check(p); });
          !s.ok()) {
        return ctx.Fail(s);
      }
      return ctx.Print(json{{"ok", true}}, [] { std::cout << "state matches the journal\n"; });
    });
  }
  {
    auto* backup = app.add_subcommand("backup", "consistent copy of the registry (mode 0600)");
    auto to = std::make_shared<std::string>();
    backup->add_option("--to", *to, "file to create")->required();
    OnRun(backup, action, [&ctx, to] {
      auto st = ctx.OpenStore();
      if (!st.ok()) return ctx.Fail(st.status());
      if (Status s =
              WithProgress("backup", [&](const ProgressFn& p) { return (*st)->Backup(*to, p); });
          !s.ok()) {
        return ctx.Fail(s);
      }
      return ctx.Print(json{{"ok", true}, {"file", *to}}, [&] {
        std::cout << "backup written to " << *to << " (open it with --data-dir " << *to << ")\n";
      });
    });
  }
}

}  // namespace medmij::cli
