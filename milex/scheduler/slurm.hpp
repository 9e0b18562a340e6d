#pragma once
#include <optional>

#include <tl/expected.hpp>

#include "milex/scheduler/bundle_loop.hpp"
#include "milex/scheduler/reports.hpp"
#include "milex/scheduler/scheduler.hpp"
#include "milex/transport/transport.hpp"

namespace milex::scheduler {

/// Where exit-status files are and whether to ask sacct, for one machine.
struct SlurmSite {
    std::string status_dir;  ///< `<machine path>/slurm`, where batch scripts write `<job>-<id>.status`
    /// true/false when the machine config says; nullopt: ask sacct, and stop asking when it
    /// answers that accounting is disabled.
    std::optional<bool> accounting;
};

/// SLURM through its commands (`sbatch --parsable`, squeue, sacct, scancel, scontrol), run on
/// the machine by a Transport.
class SlurmScheduler : public Scheduler {
public:
    explicit SlurmScheduler(transport::Transport& transport, SlurmSite site = {})
        : m_transport(transport), m_site(std::move(site)) {}
    Submission submit(const SubmitRequest& request) override;
    std::vector<std::string> submit_command(const SubmitRequest& request) const override;
    void submit_bundle(const std::vector<BundleJob>& jobs, const std::string& lock,
                       const BundleSubmitted& submitted) override;
    void wait_for_bundle(const std::string& lock) override;
    std::optional<Submission> find_submitted(const SubmitRequest& request, const std::string& since) override;
    std::map<std::string, JobReport> query(const std::vector<JobQuery>& jobs) override;
    void cancel(const std::vector<std::string>& ids) override;
    std::vector<PartitionResources> resources() override;
    std::optional<size_t> max_array_size() override;
    std::optional<size_t> max_job_count() override;
    /// Every user's jobs in squeue, pending array tasks one by one, ended ones it still shows.
    size_t held_jobs() override;
    size_t queued_jobs() override;
    std::optional<size_t> submit_limit() override;
    std::optional<Usage> usage(std::chrono::seconds since) override;

private:
    /// What an sbatch run means: its job, or an Error naming the job and SLURM's reason.
    Submission submission_of(const SubmitRequest& request, const util::ProcessResult& result) const;
    LoopDialect loop_dialect() const;
    /// Runs a SLURM command; a refusal is an Error naming the command and SLURM's reason.
    util::ProcessResult call(const std::vector<std::string>& argv, bool allow_failure = false);

    transport::Transport& m_transport;
    SlurmSite m_site;
};

/// Reads `sbatch --parsable` output: `1234` or `1234;cluster`, possibly after warning lines.
tl::expected<Submission, std::string> parse_parsable(const std::string& output);


} // namespace milex::scheduler
