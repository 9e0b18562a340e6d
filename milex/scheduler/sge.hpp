#pragma once
/// Grid Engine (Son of Grid Engine, Altair Grid Engine, Open Cluster Scheduler) through its
/// commands: qsub -terse, qstat -xml, qacct, qdel, qhost, qconf, run on the machine by a Transport.
#include "milex/scheduler/scheduler.hpp"
#include "milex/transport/transport.hpp"

namespace milex::scheduler {

class SgeScheduler : public Scheduler {
public:
    /// `status_dir`: `<machine path>/slurm`, where the batch scripts write `<job>-<id>.status`.
    SgeScheduler(transport::Transport& transport, std::string status_dir)
        : m_transport(transport), m_status_dir(std::move(status_dir)) {}
    Submission submit(const SubmitRequest& request) override;
    /// qsub's words: the tag as the context variable milex_tag (-ac), an array as -t/-tc,
    /// dependencies as -hold_jid and, for the script's own check, MILEX_AFTER (-v).
    std::vector<std::string> submit_command(const SubmitRequest& request) const override;
    void submit_bundle(const std::vector<BundleJob>& jobs, const std::string& lock,
                       const BundleSubmitted& submitted) override;
    void wait_for_bundle(const std::string& lock) override;
    std::optional<Submission> find_submitted(const SubmitRequest& request, const std::string& since) override;
    std::map<std::string, JobReport> query(const std::vector<JobQuery>& jobs) override;
    void cancel(const std::vector<std::string>& ids) override;
    std::vector<PartitionResources> resources() override;
    size_t queued_jobs() override;
    /// max_u_jobs of the global configuration, when set.
    std::optional<size_t> submit_limit() override;
    /// max_aj_tasks of the global configuration.
    std::optional<size_t> max_array_size() override;
    /// Grid Engine's max_jobs is not read yet: qsub refuses a job beyond it with its own error.
    std::optional<size_t> max_job_count() override { return std::nullopt; }
    size_t held_jobs() override { return 0; }

private:
    /// What a qsub run means: its job, or an Error naming the job and Grid Engine's reason.
    Submission submission_of(const SubmitRequest& request, const util::ProcessResult& result) const;
    util::ProcessResult call(const std::vector<std::string>& argv, bool allow_failure = false);

    transport::Transport& m_transport;
    std::string m_status_dir;
};

} // namespace milex::scheduler
