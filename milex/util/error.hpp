#pragma once
/// The one error type of milex. Low-level calls that are expected to fail return
/// tl::expected; the layers above them throw Error; the single catch in cli/main.cpp prints
/// every line of it as `milex: error: <line>` and exits with its code.
#include <stdexcept>
#include <string>
#include <vector>

namespace milex {

class Error : public std::runtime_error {
public:
    /// One problem, exit code 1 (2 is for usage errors, see UsageError).
    explicit Error(std::string message, int exit_code = 1);
    /// Several problems found together (a config or bundle with many mistakes): each line is
    /// printed on its own, so a user fixes them all at once.
    explicit Error(std::vector<std::string> problems, int exit_code = 1);

    const std::vector<std::string>& lines() const { return m_lines; }
    int exit_code() const { return m_exit_code; }

    /// Text shown after the error lines, indented, e.g. the stderr of a failed program.
    const std::string& details() const { return m_details; }
    Error& with_details(std::string details);

private:
    std::vector<std::string> m_lines;
    int m_exit_code;
    std::string m_details;
};

/// Wrong use of the command line: exit code 2.
class UsageError : public Error {
public:
    explicit UsageError(std::string message) : Error(std::move(message), 2) {}
};

} // namespace milex
