#include "milex/util/error.hpp"

namespace milex {

namespace {
std::string joined(const std::vector<std::string>& lines) {
    std::string all;
    for (const auto& line : lines) {
        if (!all.empty()) all += '\n';
        all += line;
    }
    return all;
}
} // namespace

Error::Error(std::string message, int exit_code)
    : std::runtime_error(message), m_lines{std::move(message)}, m_exit_code(exit_code) {}

Error::Error(std::vector<std::string> problems, int exit_code)
    : std::runtime_error(joined(problems)), m_lines(std::move(problems)), m_exit_code(exit_code) {}

Error& Error::with_details(std::string details) {
    m_details = std::move(details);
    return *this;
}

} // namespace milex
