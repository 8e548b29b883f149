#include "registry/http/served.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "registry/http/http_util.h"

namespace medmij::http {

ServedBody::ServedBody(std::string bytes, const std::filesystem::path& spool_dir)
    : bytes_(std::move(bytes)), etag_(StrongEtag(bytes_)) {
  // Small bodies are cheaper to copy than to open a file for.
  if (bytes_.size() < 64 * 1024) return;
  int fd = -1;
  if (!spool_dir.empty()) fd = ::open(spool_dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) fd = memfd_create("medmij-served", MFD_CLOEXEC);
  if (fd < 0) return;
  size_t off = 0;
  while (off < bytes_.size()) {
    ssize_t n = ::write(fd, bytes_.data() + off, bytes_.size() - off);
    if (n <= 0) {
      ::close(fd);
      return;
    }
    off += static_cast<size_t>(n);
  }
  fd_ = fd;
}

ServedBody::~ServedBody() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace medmij::http
