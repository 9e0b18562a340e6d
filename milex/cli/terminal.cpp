#include "milex/cli/terminal.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

namespace milex::cli {

bool interactive() { return ::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO); }

bool ask_yes_no(const std::string& question, bool yes_by_default) {
    std::cerr << question << (yes_by_default ? " [Y/n] " : " [y/N] ") << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    if (answer.empty()) return yes_by_default;
    return answer[0] == 'y' || answer[0] == 'Y';
}

std::optional<std::string> ask_secret(const std::string& instruction, const std::string& prompt) {
    if (!::isatty(STDIN_FILENO)) return std::nullopt;
    if (!instruction.empty()) std::cerr << instruction << std::endl;
    int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0) return std::nullopt;
    if (::write(tty, prompt.data(), prompt.size()) < 0) {
        ::close(tty);
        return std::nullopt;
    }
    termios old{};
    const bool can_hide = ::tcgetattr(tty, &old) == 0;
    if (can_hide) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    std::string answer;
    char c = 0;
    while (::read(tty, &c, 1) == 1 && c != '\n') answer += c;
    if (can_hide) ::tcsetattr(tty, TCSAFLUSH, &old);
    [[maybe_unused]] auto ignored = ::write(tty, "\n", 1);
    ::close(tty);
    return answer;
}

} // namespace milex::cli
