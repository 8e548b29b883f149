#include "registry/common/checkpoint_archive.h"

#include <fstream>
#include <sstream>

namespace medmij::checkpoint {

Result<std::optional<Archived>> ReadArchive(const std::filesystem::path& data_dir,
                                            const note::Verifier* verifier) {
  const std::filesystem::path file = data_dir / std::string(kArchiveName);
  std::string where = "'";  // appended: g++ 12 -O3's false -Wrestrict on "'" + ... + "'"
  where += file.string();
  where += '\'';
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (ec) return Status::IoError(where + ": " + ec.message());
    return std::optional<Archived>();
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  if (in) bytes << in.rdbuf();
  if (!in || in.bad()) return Status::IoError(where + ": cannot read the archived checkpoint");
  Archived a{bytes.str(), {}};
  auto text = verifier != nullptr ? note::Open(a.note, *verifier) : note::UnverifiedText(a.note);
  if (!text.ok() && verifier != nullptr) {
    return Status::Corruption(where + ": the archived checkpoint is not signed by the log key " +
                              verifier->ToString() + " (" + text.status().message() + ")");
  }
  if (!text.ok()) return Status::Corruption(where + ": " + text.status().message());
  auto parsed = Parse(*text);
  if (!parsed.ok()) return Status::Corruption(where + ": " + parsed.status().message());
  a.checkpoint = std::move(parsed).value();
  return std::optional<Archived>(std::move(a));
}

}  // namespace medmij::checkpoint
