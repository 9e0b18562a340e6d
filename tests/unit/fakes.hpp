#pragma once
/// Fakes of the small interfaces the layers talk through, for unit tests of the logic above
/// them. The real transports and schedulers are proven by the integration tests.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "milex/image/local_images.hpp"
#include "milex/scheduler/scheduler.hpp"
#include "milex/transport/transport.hpp"
#include "milex/util/error.hpp"
#include "unit/support.hpp"

namespace milex::test {

/// Keeps written files in memory; runs nothing.
class FakeTransport : public transport::Transport {
public:
    std::map<std::string, std::string> files;
    bool refuse_directories = false;
    util::ProcessResult run(const std::vector<std::string>&, std::chrono::milliseconds) override {
        throw Error("the fake transport runs nothing");
    }
    void write_file(const std::string& path, std::string_view content, transport::FileMode) override {
        files[path] = std::string(content);
    }
    void copy_file(const std::string& local_path, const std::string& path) override {
        files[path] = test::read_file(local_path);
    }
    std::string read_file(const std::string& path) override {
        auto it = files.find(path);
        if (it == files.end()) throw Error("cannot read " + path + ": No such file or directory");
        return it->second;
    }
    std::string resolve_path(const std::string& path) override { return path; }
    void make_directories(const std::string& path) override {
        if (refuse_directories) throw Error("cannot create directory " + path + ": Permission denied");
    }
    std::string where() const override { return "the fake"; }
};

/// Hands out ids 100, 101, …; can be told to fail at the n-th submission; answers queries from
/// `states` and counts them; remembers cancellations.
class FakeScheduler : public scheduler::Scheduler {
public:
    std::vector<scheduler::SubmitRequest> requests;
    int fail_at = -1;
    int next_id = 100;
    std::map<std::string, scheduler::JobReport> states;
    std::vector<std::vector<scheduler::JobQuery>> queries;
    std::vector<std::string> cancelled;

    /// The size of each bundle submitted in one go (submit_bundle), and the locks waited for.
    std::vector<size_t> bundles;
    std::vector<std::string> waited;
    /// With fail_at: the connection drops there instead (the job not submitted).
    bool lose_connection = false;
    void submit_bundle(const std::vector<scheduler::BundleJob>& jobs, const std::string& lock,
                       const scheduler::BundleSubmitted& submitted) override {
        bundles.push_back(jobs.size());
        Scheduler::submit_bundle(jobs, lock, submitted);
    }
    void wait_for_bundle(const std::string& lock) override { waited.push_back(lock); }

    scheduler::Submission submit(const scheduler::SubmitRequest& request) override {
        if (static_cast<int>(requests.size()) == fail_at && lose_connection)
            throw transport::ConnectionLost("connection to the fake lost (gone)", "gone");
        if (static_cast<int>(requests.size()) == fail_at) {
            if (accept_then_fail) {  // accepted, but the answer was lost
                requests.push_back(request);
                accepted_by_tag[request.tag] = std::to_string(next_id++);
                throw Error("sbatch: error: Batch job submission failed: Socket timed out on send/recv operation");
            }
            throw Error("sbatch refused job \"" + request.job_name + "\"");
        }
        requests.push_back(request);
        return {std::to_string(next_id++), ""};
    }
    std::vector<std::string> submit_command(const scheduler::SubmitRequest& request) const override {
        return {"submit", request.script_path};
    }
    /// Submissions the fake "accepted" although submit() threw: found again by tag.
    std::map<std::string, std::string> accepted_by_tag;
    bool accept_then_fail = false;
    std::optional<scheduler::Submission> find_submitted(const scheduler::SubmitRequest& request,
                                                        const std::string&) override {
        auto it = accepted_by_tag.find(request.tag);
        if (it == accepted_by_tag.end()) return std::nullopt;
        return scheduler::Submission{it->second, ""};
    }
    std::map<std::string, scheduler::JobReport> query(const std::vector<scheduler::JobQuery>& jobs) override {
        queries.push_back(jobs);
        std::map<std::string, scheduler::JobReport> out;
        for (const auto& job : jobs) out[job.id] = states.count(job.id) ? states[job.id] : scheduler::JobReport{};
        return out;
    }
    void cancel(const std::vector<std::string>& ids) override { cancelled.insert(cancelled.end(), ids.begin(), ids.end()); }
    std::vector<scheduler::PartitionResources> resources() override { return {}; }
    std::optional<size_t> array_limit = 1001;
    std::optional<size_t> max_array_size() override { return array_limit; }
    size_t queued = 0;
    std::optional<size_t> limit;
    size_t queued_jobs() override { return queued; }
    size_t limit_asked = 0;
    std::optional<size_t> submit_limit() override {
        ++limit_asked;
        return limit;
    }
    std::optional<size_t> job_count;  ///< MaxJobCount; unset: none
    size_t job_count_asked = 0;
    size_t held = 0;  ///< every user's jobs the controller holds
    std::optional<size_t> max_job_count() override {
        ++job_count_asked;
        return job_count;
    }
    size_t held_jobs() override { return held; }
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
