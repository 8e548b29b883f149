// Fuzz target: `medmij-admin import`'s line decoder (registry/ops/import.h) on arbitrary bytes as
// the import file, against a real store (LMDB in a temporary directory) that already holds the
// registry of tests/support/import_records.h, so lines can refer to existing participants,
// services and nodes. Each input runs in its own write transaction, dropped (aborted) after.
//
// Nothing may crash or throw, a Status error (the store failing) is a finding, and:
//   - `lines` counts the input's non-blank lines; ok() exactly when there is no error, and then
//     every line was applied;
//   - at most kMaxImportErrors "line N: ..." messages (N a non-blank line of the input, rising),
//     then at most one "... and K more bad lines";
//   - an empty import is refused with "<source>: no records to import";
//   - every error is one printable line (no control character), whatever the input echoed.
// Seeds (corpus/import/): the test registry's records, lines that build on it, and edge cases.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "registry/common/time.h"
#include "registry/ops/import.h"
#include "registry/store/store.h"
#include "tests/support/import_records.h"

namespace {

using namespace medmij;

[[noreturn]] void Fail(const std::string& why, std::string_view context = {}) {
  std::fprintf(stderr, "import_fuzz: %s\n%.*s\n", why.c_str(),
               static_cast<int>(std::min<size_t>(context.size(), 2000)), context.data());
  std::abort();
}

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  ops::Actor actor;
};
Fixture* fixture = nullptr;

// At exit. The store stays open: its destructor would run after the statics of the store module
// that it uses are gone (they are constructed after this handler is registered).
void RemoveDir() {
  if (fixture == nullptr) return;
  std::error_code ec;
  std::filesystem::remove_all(fixture->dir, ec);
}

// The input's non-blank lines (as Import splits and skips them), by number.
std::vector<size_t> NonBlankLines(std::string_view input) {
  std::vector<size_t> out;
  size_t number = 0;
  size_t start = 0;
  while (start < input.size()) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    ++number;
    if (input.substr(start, end - start).find_first_not_of(" \t\r") != std::string_view::npos) {
      out.push_back(number);
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  fixture = new Fixture();
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "medmij-import-fuzz-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) Fail("mkdtemp failed");
  fixture->dir = tmpl;
  std::atexit(RemoveDir);
  store::OpenOptions options;
  options.map_size = uint64_t{256} << 20;
  auto s = store::Store::Open(fixture->dir / "data", options);
  if (!s.ok()) Fail(s.status().message());
  fixture->store = std::move(s).value();
  auto now = ParseTime(testing::kImportRecordsNow, "now");
  if (!now.ok()) Fail(now.status().message());
  fixture->actor = ops::Actor{"fuzz", *now};

  std::string base;
  for (const auto& record : testing::ImportRecords()) base += record.dump() + "\n";
  std::istringstream in(base);
  auto w = fixture->store->BeginWrite();
  if (!w.ok()) Fail(w.status().message());
  auto r = ops::Import(**w, fixture->actor, in, "base.jsonl");
  if (!r.ok() || !r->ok()) Fail("the base registry does not import", base);
  auto seq = (*w)->Commit(store::EventMeta{*now, "fuzz", "import", "import", ""});
  if (!seq.ok()) Fail(seq.status().message());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::vector<size_t> lines = NonBlankLines(input);
  ops::ImportResult result;
  {
    auto w = fixture->store->BeginWrite();
    if (!w.ok()) Fail("BeginWrite: " + w.status().message());
    std::istringstream in(input);
    auto r = ops::Import(**w, fixture->actor, in, "fuzz.jsonl");
    if (!r.ok()) Fail("Import failed as the store would: " + r.status().message(), input);
    result = std::move(r).value();
  }  // dropped: aborted

  if (result.lines != lines.size()) Fail("lines miscounted", input);
  if (result.ok() != result.errors.empty()) Fail("ok() disagrees with the errors", input);
  if (result.ok() && result.applied != result.lines) Fail("ok, but not every line applied", input);
  if (result.applied > result.lines) Fail("more records applied than lines", input);
  if (lines.empty()) {
    if (result.errors.size() != 1 || result.errors[0] != "fuzz.jsonl: no records to import") {
      Fail("an empty import is not refused as such", input);
    }
    return 0;
  }
  if (result.errors.size() > ops::kMaxImportErrors + 1) Fail("too many error messages", input);
  size_t previous = 0;
  for (size_t i = 0; i < result.errors.size(); ++i) {
    const std::string& e = result.errors[i];
    for (unsigned char c : e) {
      if (c < 0x20 || c == 0x7f) Fail("an error that is not one printable line", e);
    }
    if (i == ops::kMaxImportErrors) {
      if (!e.starts_with("... and ") || !e.ends_with(" more bad lines")) {
        Fail("the last of too many errors is not a count", e);
      }
      continue;
    }
    size_t number = 0;
    if (std::sscanf(e.c_str(), "line %zu: ", &number) != 1 || !e.starts_with("line ")) {
      Fail("an error that does not name its line", e);
    }
    if (number <= previous || std::find(lines.begin(), lines.end(), number) == lines.end()) {
      Fail("an error naming a line that is not a non-blank line after the previous one", e);
    }
    const size_t colon = e.find(": ");
    if (colon == std::string::npos || colon + 2 >= e.size()) Fail("an empty error message", e);
    previous = number;
  }
  return 0;
}
