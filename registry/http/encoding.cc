#include "registry/http/encoding.h"

#include <zlib.h>

#include <future>
#include <limits>

namespace medmij::http {

Result<std::string> Gzip(std::string_view bytes, int level) {
  if (bytes.size() > std::numeric_limits<uInt>::max()) {
    return Status::Invalid("gzip: input larger than 4 GiB");
  }
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper with a minimal header (no name, mtime 0).
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("gzip: deflateInit2 failed");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  const size_t written = out.size() - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return Status::Internal("gzip: deflate did not finish");
  out.resize(written);
  return out;
}

std::shared_ptr<const Snapshot> WithGzipRepresentations(const Snapshot& snap,
                                                        const std::filesystem::path& spool_dir,
                                                        Status* error) {
  std::shared_ptr<Snapshot> out;
  for (size_t i = 0; i < snap.lists.size(); ++i) {
    const auto& list = snap.lists[i];
    if (list == nullptr || (list->signed_gzip && list->unsigned_gzip)) continue;
    // The two forms in parallel: the large ZAL takes a moment each.
    auto compress = [&spool_dir](const std::shared_ptr<const ServedBody>& body)
        -> Result<std::shared_ptr<const ServedBody>> {
      MEDMIJ_ASSIGN_OR_RETURN(std::string gz, Gzip(body->bytes()));
      return std::make_shared<const ServedBody>(std::move(gz), spool_dir);
    };
    auto signed_gz = std::async(std::launch::async, compress, list->signed_body);
    auto strict_gz = compress(list->unsigned_body);
    auto signed_result = signed_gz.get();
    if (!signed_result.ok() || !strict_gz.ok()) {
      if (error != nullptr)
        *error = !signed_result.ok() ? signed_result.status() : strict_gz.status();
      continue;
    }
    if (out == nullptr) out = std::make_shared<Snapshot>(snap);
    auto copy = std::make_shared<ServedList>(*list);
    copy->signed_gzip = std::move(signed_result).value();
    copy->unsigned_gzip = std::move(strict_gz).value();
    out->lists[i] = std::move(copy);
  }
  return out;
}

}  // namespace medmij::http
