// The data directory's archived checkpoint: the latest signed checkpoint of the transparency
// log, written atomically by the service's Checkpointer (registry/service/checkpointer.h) and
// read by it at start-up and by tools without the service (`medmij-admin audit bundle`).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "registry/common/checkpoint.h"
#include "registry/common/note.h"
#include "registry/common/status.h"

namespace medmij::checkpoint {

// Its name in the data directory.
inline constexpr std::string_view kArchiveName = "tlog-checkpoint";

struct Archived {
  std::string note;  // the whole signed note, as stored
  Checkpoint checkpoint;
};

// The archived checkpoint in `data_dir`, or nullopt when there is none. kIoError when it cannot
// be read; kCorruption naming the file when it is not a checkpoint note. With `verifier`, also
// when it carries no valid signature by that key (the message names the key); without one only
// its form is checked, so the caller must check its tree by other means (the store's own root).
Result<std::optional<Archived>> ReadArchive(const std::filesystem::path& data_dir,
                                            const note::Verifier* verifier);

}  // namespace medmij::checkpoint
