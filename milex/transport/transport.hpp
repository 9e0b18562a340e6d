#pragma once
/// How milex reaches a machine: run a command there, put a file there, make a directory there.
/// Everything above (scheduler, submission, configuration) is the same code for every machine.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "milex/util/process.hpp"

namespace milex::transport {

enum class FileMode { plain, executable };

class Transport {
public:
    virtual ~Transport() = default;

    /// Runs `argv` on the machine (no shell is involved: each element arrives as one argument)
    /// and returns its exit status and output. Throws Error when it cannot be run at all.
    virtual util::ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) = 0;

    /// Writes `content` to `path` on the machine, atomically. Throws Error naming the path.
    virtual void write_file(const std::string& path, std::string_view content, FileMode mode) = 0;

    /// Copies the file `local_path` of this host to `path` on the machine, atomically (whole or
    /// not at all), without holding it in memory: container images are gigabytes. Throws Error
    /// naming both.
    virtual void copy_file(const std::string& local_path, const std::string& path) = 0;

    /// mkdir -p on the machine. Throws Error naming the directory.
    virtual void make_directories(const std::string& path) = 0;

    /// Where commands run, for messages: "this host", "ada@narval".
    virtual std::string where() const = 0;
};

/// Runs commands on this host.
class LocalTransport : public Transport {
public:
    util::ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) override;
    void write_file(const std::string& path, std::string_view content, FileMode mode) override;
    void copy_file(const std::string& local_path, const std::string& path) override;
    void make_directories(const std::string& path) override;
    std::string where() const override { return "this host"; }
};

} // namespace milex::transport
