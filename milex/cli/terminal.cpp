#include "milex/cli/terminal.hpp"

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

} // namespace milex::cli
