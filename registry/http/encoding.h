// The gzip representations of the served lists (RFC 9110 8.4.1.3): prepared once per version,
// off the request path, so a download with `Accept-Encoding: gzip` costs what a plain one does.
// The router (router.h) picks them; the publish loop adds them right after a new version is
// served plain, so a new version may be served plain only for a moment first.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "registry/common/status.h"
#include "registry/http/served.h"

namespace medmij::http {

// `bytes` as one gzip member (RFC 1952) at zlib level `level` (1..9). Deterministic: no file
// name, modification time 0, so the same bytes always give the same representation (and ETag).
Result<std::string> Gzip(std::string_view bytes, int level = 6);

// `snap` with the gzip representations of every list form that has none yet, each held like
// the plain bodies (a file in `spool_dir` for large ones); the plain bodies are shared, not
// copied. Null when every list already has them (nothing to do). On a compression failure the
// list stays without them (it is then served plain) and `*error`, when given, says why.
std::shared_ptr<const Snapshot> WithGzipRepresentations(const Snapshot& snap,
                                                        const std::filesystem::path& spool_dir,
                                                        Status* error = nullptr);

}  // namespace medmij::http
