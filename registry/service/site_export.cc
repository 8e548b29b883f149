#include "registry/service/site_export.h"

#include <system_error>

#include "registry/common/atomic_file.h"

namespace medmij::service {

std::filesystem::path SiteExport::FileFor(const std::string& path) {
  constexpr std::string_view kStatic = "/static/";
  const std::filesystem::path relative = path.substr(1);
  if (path.compare(0, kStatic.size(), kStatic) == 0) return relative;
  return relative / "index.html";
}

Status SiteExport::WriteOne(const std::filesystem::path& relative, const http::ServedBody& body) {
  auto it = written_.find(relative);
  if (it != written_.end() && it->second == body.etag()) return Status::Ok();
  const std::filesystem::path file = dir_ / relative;
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) {
    return Status::IoError(file.parent_path().string() + ": cannot create: " + ec.message());
  }
  MEDMIJ_RETURN_IF_ERROR(
      WriteFileAtomically(file, body.bytes(), AtomicWriteOptions{.mode = 0644, .replace = true}));
  written_[relative] = body.etag();
  return Status::Ok();
}

Status SiteExport::Write(const http::RegisterPages& pages) {
  for (const auto& [path, page] : pages.by_path) {
    if (path == "/") continue;
    MEDMIJ_RETURN_IF_ERROR(WriteOne(FileFor(path), *page.body));
  }
  MEDMIJ_RETURN_IF_ERROR(WriteOne("404.html", *pages.not_found));
  // Last, so that whoever sees the new overview finds every page it links to.
  auto overview = pages.by_path.find("/");
  if (overview == pages.by_path.end()) return Status::Ok();
  return WriteOne(FileFor("/"), *overview->second.body);
}

}  // namespace medmij::service
