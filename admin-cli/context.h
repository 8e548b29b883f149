// Shared plumbing of medmij-admin commands: global options, opening the store, running one
// mutation as one write transaction with its journal event, and printing results.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/common/status.h"
#include "registry/common/text.h"
#include "registry/common/time.h"
#include "registry/ops/ops.h"
#include "registry/store/store.h"

namespace CLI {
class App;
}

namespace medmij::cli {

// Exit codes (DESIGN.md): the one place that maps a Status to a process exit code.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRefused = 3;
inline constexpr int kExitNotFound = 4;
int ExitCodeFor(const Status& s);

// Text as printed for people (plain output and error lines): line-break, control and format
// characters escaped (EscapeForDisplay), so a stored value can neither add a line nor reorder
// what the reader sees. JSON output is escaped by the JSON library instead.
inline std::string Shown(std::string_view text) {
  return EscapeForDisplay(text);
}

struct Table;

class Context {
 public:
  std::string data_dir;
  std::string operator_name;
  bool json = false;
  std::string format = "text";  // list-like commands: "text" | "csv" (AddFormatOption)
  Time now{};

  // Opens the data dir (once). `create` only for `init`. Without it a missing data dir is a
  // usage error that says to run init.
  Result<store::Store*> OpenStore(bool create = false);
  // Opens the store and one read transaction: one consistent snapshot for the whole command.
  Result<std::unique_ptr<store::ReadTxn>> BeginRead();
  ops::Actor actor() const { return ops::Actor{operator_name, now}; }

  // Runs `fn` in one write transaction and commits it with one journal event. `fn` may add
  // fields to `out` (request ids, case ids). Prints the result (text line or JSON document).
  // Returns the exit code.
  using MutationFn = std::function<Status(store::WriteTxn&, nlohmann::json& out)>;
  int Mutate(const std::string& command, const std::string& subject, const std::string& reason,
             const MutationFn& fn,
             const std::function<std::string(const nlohmann::json& out)>& done_message);
  int Mutate(const std::string& command, const std::string& subject, const std::string& reason,
             const MutationFn& fn, const std::string& done_message) {
    return Mutate(command, subject, reason, fn,
                  [&](const nlohmann::json&) { return done_message; });
  }

  // Prints `doc` as JSON (--json) or calls `text` to print it for people. Returns kExitOk.
  int Print(const nlohmann::json& doc, const std::function<void()>& text) const;

  // Names, one line each on stderr, the records a listing left out because they do not decode
  // (Reader::AllParticipants(&corrupt) and the like): the listing shows the others.
  void ReportSkipped(const std::vector<store::CorruptRecord>& corrupt) const;

  // For list-like commands: `doc` as JSON (--json), `table` as CSV (--format csv), or `table`
  // aligned: fitted to the terminal when stdout is one, else aligned to its content. Returns
  // kExitOk.
  int PrintTable(const nlohmann::json& doc, const Table& table) const;

  // Reports an error: one line on stderr (and a JSON document on stdout with --json). Returns the
  // exit code for it.
  int Fail(const Status& s) const;

 private:
  std::unique_ptr<store::Store> store_;
};

// Adds `--format text|csv` to a list-like command `cmd`; it sets ctx.format.
void AddFormatOption(CLI::App* cmd, Context& ctx);

}  // namespace medmij::cli

// In a command returning an exit code: assigns the value of a Result to `lhs`, or reports its
// Status and returns the exit code for it (ctx.Fail).
//   MEDMIJ_ASSIGN_OR_FAIL(ctx, auto nodes, reader.NodesOf(id));
#define MEDMIJ_ASSIGN_OR_FAIL(ctx, lhs, expr) \
  MEDMIJ_ASSIGN_OR_FAIL_IMPL(MEDMIJ_CONCAT(_res_, __LINE__), ctx, lhs, expr)
#define MEDMIJ_ASSIGN_OR_FAIL_IMPL(tmp, ctx, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return (ctx).Fail(tmp.status());       \
  lhs = std::move(tmp).value()
