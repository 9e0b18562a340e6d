#pragma once
/// Where a job's output is and how to read it, on whichever machine it ran.
#include <optional>
#include <string>
#include <vector>

#include "milex/model/job.hpp"
#include "milex/model/machine.hpp"
#include "milex/model/run.hpp"
#include "milex/transport/transport.hpp"

namespace milex::observe {

struct LogFiles {
    std::vector<std::string> paths;   ///< one, or one per array task
    std::optional<std::string> note;  ///< e.g. that stderr is in the output file
    bool separate_stderr = false;     ///< the job has an --error file of its own
};

/// The files SLURM writes for a submitted job: its --output (or --error with `err`) pattern with
/// %x %j %A %a %u %% filled in; every task of an array unless `task` picks one.
LogFiles log_files(const model::Job& job, const model::Machine& machine, const model::JobRun& run, bool err,
                   const std::optional<std::string>& task);

/// The log files of `job` as `record` ran it: log_files of its latest attempt, and for an array
/// each task's from the latest attempt that ran it (resubmit --failed runs only some tasks
/// again). A `task` the job does not have is an Error: the job is not an array, or its array
/// has no such task.
LogFiles job_log_files(const model::Job& job, const model::Machine& machine, const model::RunRecord& record, bool err,
                       const std::optional<std::string>& task);

/// Reads log files through a transport.
class LogReader {
public:
    explicit LogReader(transport::Transport& transport) : m_transport(transport) {}
    /// The whole file, or its last `lines`; nullopt when it does not exist.
    std::optional<std::string> read(const std::string& path, std::optional<size_t> lines);
    /// What follows the first `offset` bytes; nullopt when the file does not exist.
    std::optional<std::string> read_from(const std::string& path, size_t offset);

private:
    transport::Transport& m_transport;
};

/// The last Weights & Biases run URL in `text`, if any (https://wandb.ai/…).
std::optional<std::string> wandb_url(const std::string& text);

} // namespace milex::observe
