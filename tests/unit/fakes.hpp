#pragma once
/// Fakes of milex's outside-world interfaces, shared by the unit tests.
#include <map>
#include <string>
#include <vector>

#include "milex/image/local_images.hpp"
#include "milex/scheduler/scheduler.hpp"
#include "milex/transport/transport.hpp"
#include "milex/util/error.hpp"
#include "unit/support.hpp"

namespace milex::test {

/// Hands out ids 100, 101, …; can be told to fail at the n-th submission.
class FakeScheduler : public scheduler::Scheduler {
public:
    std::vector<scheduler::SubmitRequest> requests;
    int fail_at = -1;
    int next_id = 100;
    scheduler::Submission submit(const scheduler::SubmitRequest& request) override {
        if (static_cast<int>(requests.size()) == fail_at) throw Error("sbatch refused job \"" + request.job_name + "\"");
        requests.push_back(request);
        return {std::to_string(next_id++), ""};
    }
    std::vector<std::string> submit_command(const scheduler::SubmitRequest& request) const override {
        return {"submit", request.script_path};
    }
};

/// A podman store holding the images of `ids`; save() writes a small stand-in archive.
class FakeLocalImages : public image::LocalImages {
public:
    std::map<std::string, std::string> ids;  ///< reference → id
    std::vector<std::string> saved;
    std::string engine() const override { return "podman"; }
    std::optional<std::string> id(const std::string& reference) override {
        auto it = ids.find(reference);
        if (it == ids.end()) return std::nullopt;
        return it->second;
    }
    void save(const std::string& reference, const std::string& path) override {
        saved.push_back(reference);
        write_file(path, "docker archive of " + reference);
    }
    std::vector<image::ImageRow> list(const std::string&) override { return {}; }
};

/// This host, counting the files copied to it and answering for programs named in `answers`
/// (argv[0] → result) instead of running them.
class CountingTransport : public transport::LocalTransport {
public:
    std::vector<std::string> copied;
    std::vector<std::vector<std::string>> answered;
    std::map<std::string, util::ProcessResult> answers;
    util::ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) override {
        if (auto it = answers.find(argv.front()); it != answers.end()) {
            answered.push_back(argv);
            return it->second;
        }
        return LocalTransport::run(argv, timeout);
    }
    void copy_file(const std::string& local_path, const std::string& path) override {
        copied.push_back(path);
        LocalTransport::copy_file(local_path, path);
    }
};

} // namespace milex::test
