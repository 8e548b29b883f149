#include "registry/common/progress.h"

#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>

namespace medmij {
namespace {

size_t ColumnsOf(int fd) {
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

// The done units after `done` at which the line can look different: one step of the bar's
// 1000ths with a known total, else growing with the count (the count's leading digits).
uint64_t NextCheck(uint64_t done, uint64_t total) {
  const uint64_t step = total > 0 ? std::max<uint64_t>(1, total / 1000) : 1 + done / 64;
  return done + step;
}

}  // namespace

Progress::Progress(std::string label, uint64_t total, ProgressOptions options)
    : label_(std::move(label)), total_(total), options_(std::move(options)) {
  if (!options_.now) options_.now = [] { return std::chrono::steady_clock::now(); };
  enabled_ = isatty(options_.fd) == 1;
  if (!enabled_) return;
  started_ = options_.now();
  last_draw_ = started_;
  next_check_ = NextCheck(0, total_);
}

Progress::~Progress() {
  Done();
}

void Progress::SetTotal(uint64_t total) {
  if (total == total_) return;
  total_ = total;
  next_check_ = done_;  // look again at the next unit
}

void Progress::Advance(uint64_t n) {
  Update(done_ + n);
}

void Progress::Update(uint64_t done) {
  done_ = done;
  if (!enabled_ || finished_ || done_ < next_check_) return;
  next_check_ = NextCheck(done_, total_);
  MaybeDraw();
}

ProgressFn Progress::Callback() {
  return [this](uint64_t done, uint64_t total) {
    SetTotal(total);
    Update(done);
  };
}

void Progress::MaybeDraw() {
  const auto now = options_.now();
  if (now - (drawn_ ? last_draw_ : started_) < options_.min_interval) return;
  const size_t width = options_.width > 0 ? options_.width : ColumnsOf(options_.fd);
  std::string line = Render(label_, done_, total_, width);
  if (drawn_ && line == last_line_) return;
  std::string out = "\r";
  out += line;
  // A shorter line than the last (a narrower terminal, a total that changed) leaves no tail.
  out += "\x1b[K";
  Write(out);
  drawn_ = true;
  last_draw_ = now;
  last_line_ = std::move(line);
}

void Progress::Done() {
  if (finished_) return;
  finished_ = true;
  if (drawn_) Write("\r\x1b[K");
}

void Progress::Write(const std::string& bytes) {
  // A hint for a person: a write that fails is not retried or reported.
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = write(options_.fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

std::string Progress::Render(const std::string& label, uint64_t done, uint64_t total,
                             size_t width) {
  // One column short of the width: a line that fills the last column makes some terminals wrap.
  const size_t room = width > 1 ? width - 1 : 1;
  std::string head = label.substr(0, std::max<size_t>(1, room / 3));
  if (total == 0) {
    std::string line = head;
    line += "  ";
    line += std::to_string(done);
    return line.substr(0, room);
  }
  const uint64_t shown = std::min(done, total);
  const unsigned percent = static_cast<unsigned>(shown * 100 / total);
  std::string tail = "  ";
  std::string pct = std::to_string(percent);
  tail.append(3 - std::min<size_t>(3, pct.size()), ' ');
  tail += pct;
  tail += "%  ";
  tail += std::to_string(done);
  tail += '/';
  tail += std::to_string(total);
  // "label [" + bar + "]" + tail
  const size_t fixed = head.size() + 3 + tail.size();
  std::string line = head;
  if (room >= fixed + 10) {
    const size_t bar = room - fixed;
    const size_t filled = static_cast<size_t>(shown * bar / total);
    line += " [";
    line.append(filled, '#');
    line.append(bar - filled, '.');
    line += ']';
  }
  line += tail;
  return line.substr(0, room);
}

}  // namespace medmij
