// The public register's pages in the export dir ([publish] export_dir), beside the lists, so
// nginx or a CDN serves them with the same headers as the service (deploy/nginx):
//   index.html, lijsten/index.html, deelnemers/<id>/index.html, static/..., 404.html
// Each file is written atomically (temp file + rename), and only when its content changed;
// index.html last, so a new overview never links to a page not yet there.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "registry/common/status.h"
#include "registry/http/served.h"

namespace medmij::service {

// Not safe for concurrent use: the publisher thread owns it.
class SiteExport {
 public:
  explicit SiteExport(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Writes every page of `pages` whose bytes differ from what this object last wrote there. A
  // failure names the file; the pages written before it stay, the rest is retried next time.
  Status Write(const http::RegisterPages& pages);

  // The file under the export dir that serves `path` ("/" -> "index.html",
  // "/deelnemers/x" -> "deelnemers/x/index.html", "/static/register.css" as is).
  static std::filesystem::path FileFor(const std::string& path);

 private:
  Status WriteOne(const std::filesystem::path& relative, const http::ServedBody& body);

  std::filesystem::path dir_;
  std::map<std::filesystem::path, std::string> written_;  // relative path -> ETag written
};

}  // namespace medmij::service
