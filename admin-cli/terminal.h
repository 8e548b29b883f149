// What medmij-admin shows at a terminal: tables fitted to the terminal's width (plain, aligned
// to their content, when stdout is not a terminal; CSV with --format csv).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace medmij::cli {

// True when `fd` is a terminal.
bool IsTerminal(int fd);
// The width of the terminal on `fd` in columns; 0 when `fd` is not a terminal.
size_t TerminalColumns(int fd);

// Rows of text under a header. Cells hold the values as stored; rendering escapes them.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each the header's size
};

// Columns padded to their widest cell, two spaces apart, every cell shown escaped
// (EscapeForDisplay). With `width` > 0 the widest columns are cut (ending in "~") until a line
// fits `width`, but no column below its header's width; 0: no limit.
std::string RenderAligned(const Table& t, size_t width);
// RFC 4180: a header line, then one line per row; fields with a comma, quote, CR or LF quoted
// (quotes doubled); lines end in CRLF. Values as stored (a spreadsheet or script reads them).
std::string RenderCsv(const Table& t);

}  // namespace medmij::cli
