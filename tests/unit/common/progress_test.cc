// Progress: nothing on a pipe; on a terminal (a pty) rate-limited "\r" lines cleared at the end.
#include "registry/common/progress.h"

#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

namespace medmij {
namespace {

using std::chrono::milliseconds;
using Instant = std::chrono::steady_clock::time_point;

// Everything readable on `fd` now (non-blocking).
std::string Drain(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

struct FakeTime {
  Instant t{};
  ProgressOptions Options(int fd) {
    ProgressOptions o;
    o.fd = fd;
    o.width = 60;
    o.now = [this] { return t; };
    return o;
  }
};

class ProgressPty : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(openpty(&master_, &slave_, nullptr, nullptr, nullptr), 0);
    termios tio{};
    ASSERT_EQ(tcgetattr(slave_, &tio), 0);
    cfmakeraw(&tio);  // the bytes as written, no "\n" -> "\r\n"
    ASSERT_EQ(tcsetattr(slave_, TCSANOW, &tio), 0);
  }
  void TearDown() override {
    close(master_);
    close(slave_);
  }
  int master_ = -1, slave_ = -1;
};

TEST(Progress, WritesNothingToAPipe) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  FakeTime time;
  {
    Progress p("import", 1000, time.Options(fds[1]));
    EXPECT_FALSE(p.enabled());
    for (int i = 0; i < 1000; ++i) {
      time.t += milliseconds(50);
      p.Advance();
    }
    p.Done();
  }
  close(fds[1]);
  EXPECT_EQ(Drain(fds[0]), "");
  close(fds[0]);
}

TEST_F(ProgressPty, DrawsRateLimitedLinesAndClearsAtTheEnd) {
  FakeTime time;
  Progress p("import", 1000, time.Options(slave_));
  ASSERT_TRUE(p.enabled());
  // Before min_interval has passed nothing is drawn, however much work is done.
  for (int i = 0; i < 500; ++i) p.Advance();
  EXPECT_EQ(Drain(master_), "");
  time.t += milliseconds(100);
  p.Advance();  // 501
  const std::string first = Drain(master_);
  std::string expected = "\r";  // appended: g++ 12's false -Wrestrict on "x" + std::string
  expected += Progress::Render("import", 501, 1000, 60);
  expected += "\x1b[K";
  EXPECT_EQ(first, expected);
  EXPECT_NE(first.find(" 50%  501/1000"), std::string::npos) << first;
  // Work without time passing: no redraw.
  for (int i = 0; i < 200; ++i) p.Advance();
  EXPECT_EQ(Drain(master_), "");
  time.t += milliseconds(150);
  p.Advance();  // 702
  EXPECT_NE(Drain(master_).find(" 70%  702/1000"), std::string::npos);
  p.Done();
  EXPECT_EQ(Drain(master_), "\r\x1b[K");
  p.Done();  // idempotent; nothing after Done
  time.t += milliseconds(500);
  p.Advance();
  EXPECT_EQ(Drain(master_), "");
}

TEST_F(ProgressPty, ShortWorkDrawsNothingNotEvenTheClear) {
  FakeTime time;
  {
    Progress p("check", 10, time.Options(slave_));
    for (int i = 0; i < 10; ++i) p.Advance();
  }
  EXPECT_EQ(Drain(master_), "");
}

TEST_F(ProgressPty, CallbackSetsTotalAndDone) {
  FakeTime time;
  Progress p("journal verify", 0, time.Options(slave_));
  ProgressFn fn = p.Callback();
  time.t += milliseconds(200);
  fn(30, 120);
  EXPECT_NE(Drain(master_).find(" 25%  30/120"), std::string::npos);
}

TEST(ProgressRender, FitsTheWidthAndShowsCountWithoutTotal) {
  const std::string line = Progress::Render("import", 250, 1000, 40);
  EXPECT_EQ(line.size(), 39u);                                 // one column short of the width
  EXPECT_EQ(line, "import [###...........]   25%  250/1000");  // percent in 3 columns
  EXPECT_EQ(Progress::Render("import", 1000, 1000, 40).find('.'), std::string::npos);
  // Too narrow for a bar: the numbers alone.
  EXPECT_EQ(Progress::Render("import", 250, 1000, 24), "import   25%  250/1000");
  EXPECT_EQ(Progress::Render("import", 4200, 0, 40), "import  4200");
}

}  // namespace
}  // namespace medmij
