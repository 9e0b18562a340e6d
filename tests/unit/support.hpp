#pragma once
/// Helpers for unit tests. Each test case runs in a fresh temporary directory (the current
/// directory), kept when the test fails so it can be looked at.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <doctest/doctest.h>

namespace milex::test {

namespace fs = std::filesystem;

/// The current test case's directory.
fs::path temp_dir();

void write_file(const fs::path& path, const std::string& content);
std::string read_file(const fs::path& path);

/// An executable script `name` in `dir` with `body` (a #!/bin/sh line is added).
fs::path write_script(const fs::path& dir, const std::string& name, const std::string& body);

/// Sets an environment variable for the lifetime of the object, then restores it.
class ScopedEnv {
public:
    ScopedEnv(std::string name, const std::optional<std::string>& value);
    ~ScopedEnv();
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string m_name;
    std::optional<std::string> m_old;
};

/// A file under tests/golden/; with MILEX_UPDATE_GOLDEN=1 in the environment, `actual` is
/// written there instead and the comparison passes.
std::string golden(const std::string& name, const std::string& actual);

} // namespace milex::test

namespace doctest {
/// Lists of strings (problems, names) print one item a line when a check fails.
template <>
struct StringMaker<std::vector<std::string>> {
    static String convert(const std::vector<std::string>& items) {
        std::string out = "{";
        for (const auto& item : items) out += "\n  \"" + item + "\"";
        out += "\n}";
        return out.c_str();
    }
};
} // namespace doctest
