#pragma once
/// A machine without a batch system (a laptop, a workstation): each job runs as a background
/// process detached from the terminal, started at once and waiting there for the jobs it depends
/// on; its id is its process id. The same batch script runs as under SLURM, so logs and
/// exit-status files are where they would be.
#include "milex/scheduler/scheduler.hpp"
#include "milex/transport/transport.hpp"

namespace milex::scheduler {

class DirectScheduler : public Scheduler {
public:
    /// `status_dir` is `<machine path>/slurm`, where the logs and exit-status files go.
    DirectScheduler(transport::Transport& transport, std::string status_dir)
        : m_transport(transport), m_dir(std::move(status_dir)) {}
    Submission submit(const SubmitRequest& request) override;
    std::vector<std::string> submit_command(const SubmitRequest& request) const override;
    /// A job is started and its id printed in one short command: there is no half-accepted state.
    std::optional<Submission> find_submitted(const SubmitRequest&, const std::string&) override { return std::nullopt; }
    std::map<std::string, JobReport> query(const std::vector<JobQuery>& jobs) override;
    void cancel(const std::vector<std::string>& ids) override;
    std::vector<PartitionResources> resources() override;
    std::optional<size_t> max_array_size() override { return std::nullopt; }
    std::optional<size_t> max_job_count() override { return std::nullopt; }
    size_t held_jobs() override { return 0; }
    size_t queued_jobs() override { return 0; }
    std::optional<size_t> submit_limit() override { return std::nullopt; }

private:
    transport::Transport& m_transport;
    std::string m_dir;
};

/// The answer of the direct runner's status probe (`<id> alive|gone` then the status file), as
/// reports; `now` (seconds since the epoch) gives running jobs their elapsed time.
std::map<std::string, JobReport> parse_direct_probe(const std::string& text, long long now);

} // namespace milex::scheduler
