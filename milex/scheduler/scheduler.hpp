#pragma once
/// What milex asks of a batch system. SLURM is the one there is; the interface keeps its text
/// formats inside scheduler/.
#include <string>
#include <vector>

namespace milex::scheduler {

struct SubmitRequest {
    std::string job_name;               ///< for messages
    std::string script_path;            ///< the rendered script, already on the machine
    std::vector<std::string> after_ok;  ///< ids that must end successfully first
};

struct Submission {
    std::string job_id;
    std::string cluster;  ///< empty on a single-cluster site
};

class Scheduler {
public:
    virtual ~Scheduler() = default;
    /// Submits one script; throws Error naming the job and the scheduler's reason when refused.
    virtual Submission submit(const SubmitRequest& request) = 0;
    /// The command submit() runs, with `ids` standing in for the dependency ids (for --dry-run).
    virtual std::vector<std::string> submit_command(const SubmitRequest& request) const = 0;
};

} // namespace milex::scheduler
