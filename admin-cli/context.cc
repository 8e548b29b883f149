#include "admin-cli/context.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "admin-cli/terminal.h"

namespace medmij::cli {

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk:
      return kExitOk;
    case Status::Code::kInvalidArgument:
      return kExitUsage;
    case Status::Code::kFailedPrecondition:
    case Status::Code::kAlreadyExists:
      return kExitRefused;
    case Status::Code::kNotFound:
      return kExitNotFound;
    default:
      return kExitInternal;
  }
}

Result<store::Store*> Context::OpenStore(bool create) {
  if (store_) return store_.get();
  if (data_dir.empty()) {
    return Status::Invalid("--data-dir: not set (give --data-dir DIR or set MEDMIJ_DATA_DIR)");
  }
  std::error_code ec;
  if (!create && !std::filesystem::exists(std::filesystem::path(data_dir) / "data.mdb", ec) &&
      !std::filesystem::is_regular_file(data_dir, ec)) {
    return Status::Invalid("--data-dir: " + data_dir +
                           " holds no registry; run 'medmij-admin init' first");
  }
  store::OpenOptions options;
  options.create = create;
  // Read commands work for a user who may only read the data dir; writes then say why not.
  options.read_only_if_not_writable = !create;
  auto opened = store::Store::Open(data_dir, options);
  if (!opened.ok()) return opened.status();
  store_ = std::move(opened).value();
  return store_.get();
}

Result<std::unique_ptr<store::ReadTxn>> Context::BeginRead() {
  auto st = OpenStore();
  if (!st.ok()) return st.status();
  return (*st)->BeginRead();
}

int Context::Mutate(const std::string& command, const std::string& subject,
                    const std::string& reason, const MutationFn& fn,
                    const std::function<std::string(const nlohmann::json&)>& done_message) {
  auto st = OpenStore();
  if (!st.ok()) return Fail(st.status());
  auto txn = (*st)->BeginWrite();
  if (!txn.ok()) return Fail(txn.status());
  nlohmann::json out = nlohmann::json::object();
  Status s = fn(**txn, out);
  if (!s.ok()) return Fail(s);  // the transaction aborts when it goes out of scope
  store::EventMeta meta{now, operator_name, command, subject, reason};
  auto seq = (*txn)->Commit(meta);
  if (!seq.ok()) return Fail(seq.status());
  out["ok"] = true;
  out["command"] = command;
  out["subject"] = subject;
  out["event"] = *seq;
  return Print(out, [&] {
    std::cout << Shown(done_message(out));
    if (*seq == 0) std::cout << " (nothing changed)";
    std::cout << "\n";
  });
}

int Context::Print(const nlohmann::json& doc, const std::function<void()>& text) const {
  if (json) {
    std::cout << doc.dump(2) << "\n";
  } else {
    text();
  }
  return kExitOk;
}

void Context::ReportSkipped(const std::vector<store::CorruptRecord>& corrupt) const {
  for (const auto& c : corrupt) {
    std::cerr << "medmij-admin: " << Shown(c.table + "/" + c.key)
              << ": stored record does not decode, left out: " << Shown(c.reason)
              << " (see 'medmij-admin check')\n";
  }
}

int Context::PrintTable(const nlohmann::json& doc, const Table& table) const {
  if (json) return Print(doc, [] {});
  std::cout << (format == "csv" ? RenderCsv(table)
                                : RenderAligned(table, TerminalColumns(STDOUT_FILENO)));
  return kExitOk;
}

void AddFormatOption(CLI::App* cmd, Context& ctx) {
  cmd->add_option("--format", ctx.format, "text (aligned columns) or csv")
      ->check(CLI::IsMember({"text", "csv"}));
}

int Context::Fail(const Status& s) const {
  std::cerr << "medmij-admin: " << Shown(s.message());
  if (s.code() == Status::Code::kCorruption) {
    std::cerr << " (stored data is corrupt: 'medmij-admin check' lists every bad record)";
  }
  std::cerr << "\n";
  int code = ExitCodeFor(s);
  if (json) {
    std::cout << nlohmann::json{{"ok", false}, {"error", s.message()}, {"exit_code", code}}.dump(2)
              << "\n";
  }
  return code;
}

}  // namespace medmij::cli
