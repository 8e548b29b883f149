#include "admin-cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

#include "registry/common/text.h"

namespace medmij::cli {
namespace {

// Columns a shown (escaped, valid UTF-8) string takes: one per code point. Wide characters
// (CJK) take two on most terminals; the registry's values are Latin script.
size_t DisplayWidth(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The first `n` columns of `s`, cut at a code point boundary.
std::string Cut(const std::string& s, size_t n) {
  size_t cols = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (cols == n) return s.substr(0, i);
      ++cols;
    }
  }
  return s;
}

bool NeedsQuotes(std::string_view s) {
  return s.find_first_of(",\"\r\n") != std::string_view::npos;
}

}  // namespace

bool IsTerminal(int fd) {
  return isatty(fd) == 1;
}

size_t TerminalColumns(int fd) {
  if (!IsTerminal(fd)) return 0;
  winsize ws{};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

std::string RenderAligned(const Table& t, size_t width) {
  const size_t n = t.header.size();
  std::vector<std::vector<std::string>> cells;
  cells.reserve(t.rows.size() + 1);
  cells.push_back(t.header);
  for (const auto& row : t.rows) {
    std::vector<std::string> shown;
    for (const auto& c : row) shown.push_back(EscapeForDisplay(c));
    cells.push_back(std::move(shown));
  }
  std::vector<size_t> widths(n, 0), minimum(n, 0);
  for (size_t i = 0; i < n; ++i) minimum[i] = DisplayWidth(t.header[i]);
  for (const auto& row : cells) {
    for (size_t i = 0; i < n && i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  if (width > 0) {
    auto line = [&] {
      size_t total = 0;
      for (size_t w : widths) total += w;
      return total + 2 * (n - 1);
    };
    // Narrow the widest column that can still give, one column at a time.
    while (line() > width) {
      size_t widest = n;
      for (size_t i = 0; i < n; ++i) {
        if (widths[i] > minimum[i] && (widest == n || widths[i] > widths[widest])) widest = i;
      }
      if (widest == n) break;
      widths[widest] -= 1;
    }
  }
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (size_t i = 0; i < n; ++i) {
      std::string cell = i < row.size() ? row[i] : std::string();
      if (DisplayWidth(cell) > widths[i]) cell = Cut(cell, widths[i] - 1) + "~";
      line += cell;
      if (i + 1 < n) line.append(widths[i] - DisplayWidth(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  }
  return out;
}

std::string RenderCsv(const Table& t) {
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += ',';
      if (!NeedsQuotes(row[i])) {
        out += row[i];
        continue;
      }
      out += '"';
      for (char c : row[i]) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
    out += "\r\n";
  };
  emit(t.header);
  for (const auto& row : t.rows) emit(row);
  return out;
}

}  // namespace medmij::cli
