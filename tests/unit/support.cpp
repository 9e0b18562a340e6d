#include "unit/support.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace milex::test {

void write_file(const fs::path& path, const std::string& content) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

fs::path write_script(const fs::path& dir, const std::string& name, const std::string& body) {
    fs::path path = dir / name;
    write_file(path, "#!/bin/sh\n" + body + "\n");
    ::chmod(path.c_str(), 0755);
    return path;
}

ScopedEnv::ScopedEnv(std::string name, const std::optional<std::string>& value) : m_name(std::move(name)) {
    if (const char* old = std::getenv(m_name.c_str())) m_old = old;
    if (value) ::setenv(m_name.c_str(), value->c_str(), 1);
    else ::unsetenv(m_name.c_str());
}

ScopedEnv::~ScopedEnv() {
    if (m_old) ::setenv(m_name.c_str(), m_old->c_str(), 1);
    else ::unsetenv(m_name.c_str());
}

std::string golden(const std::string& name, const std::string& actual) {
    const fs::path path = fs::path(MILEX_SOURCE_DIR) / "tests" / "golden" / name;
    const char* update = std::getenv("MILEX_UPDATE_GOLDEN");
    if (update && std::string(update) == "1") {
        write_file(path, actual);
        return actual;
    }
    return read_file(path);
}

} // namespace milex::test
