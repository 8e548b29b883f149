// The transparency log written into the export directory ([publish] export_dir), so that nginx,
// a CDN or object storage can serve it as static files at the C2SP tlog-tiles paths:
//
//   <export_dir>/log/checkpoint        the latest signed checkpoint
//   <export_dir>/log/tile/<L>/<N>      every full hash tile of its tree (immutable)
//   <export_dir>/log/tile/<L>/<N>.p/<W> the partial hash tiles that tree has
//
// Entry bundles are not exported: they hold internal data (auditors only). A tile's bytes never
// change (a partial tile's path names its width), so each is written once, atomically; the
// checkpoint is replaced atomically after every tile of its tree is in place, so whoever reads
// a checkpoint there finds its tiles. Older partial tiles are left (a client holding an older
// checkpoint can still read them).
#pragma once

#include <cstdint>
#include <filesystem>

#include "registry/common/status.h"
#include "registry/service/checkpointer.h"
#include "registry/store/store.h"

namespace medmij::service {

class LogExport {
 public:
  // `store` must outlive it; `export_dir` must exist.
  LogExport(const store::Store& store, std::filesystem::path export_dir);

  // Writes `latest` (a checkpoint of `store`'s journal) and the tiles of its tree that are not
  // written yet: after a restart, every tile of the tree is compared with what is there and
  // rewritten when it differs. kIoError naming the file when a write fails (the checkpoint there
  // stays the previous one; the next call retries). REQUIRES: one caller at a time.
  Status Export(const Checkpointer::Signed& latest);

 private:
  Status WriteTile(const tiles::Tile& tile, const store::Reader& reader) const;

  const store::Store& store_;
  std::filesystem::path dir_;  // <export_dir>/log
  bool written_ = false;       // a checkpoint of exported_ leaves is in place
  uint64_t exported_ = 0;      // every full tile of a tree of this size is in place
};

}  // namespace medmij::service
