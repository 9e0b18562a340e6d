#pragma once
/// What a scheduler decides inside a batch script, known without reaching the machine: the
/// directive lines, the environment a job sees and the names of its log files. One script body
/// serves every scheduler (templates/job.sh.mustache); these are its per-scheduler sections.
#include <string>
#include <vector>

#include "milex/model/job.hpp"
#include "milex/model/machine.hpp"

namespace milex::scheduler {

/// A job's log file, as its request names it (SLURM's %x %j %A %a %u %% patterns, the bundle's words).
struct LogName {
    std::string pattern;  ///< the request's output (or error) pattern
    std::string job_name;
    std::string job_id;  ///< the job, or the array (the part of a split array holding the task)
    std::string task;    ///< the task's index within that submission, "" for a plain job
    std::string user;
};

class Dialect {
public:
    virtual ~Dialect() = default;
    /// "SLURM", "Grid Engine": for messages.
    virtual const char* name() const = 0;
    /// The directive lines of `job`'s script on `machine` (`#SBATCH --time=5`, `#$ -l h_rt=300`),
    /// its request (job_request) translated. Throws Error naming the option and the machine for
    /// what this scheduler cannot express, before anything is written or submitted.
    virtual std::vector<std::string> directives(const model::Job& job, const model::Machine& machine) const = 0;
    /// Bash lines that map the scheduler's variables to milex's: MILEX_JOB_ID, MILEX_TASK_ID (the
    /// 0-based combination index of a sweep or array, a split part's offset added; 0 for a plain
    /// job), and the shell variables milex_id (names the exit-status file, `<id>` or
    /// `<array id>_<task>`) and milex_name (the job's name as the scheduler knows it).
    virtual std::string environment() const = 0;
    /// Bash lines run before the job starts (after milex_status_file is set): what the scheduler
    /// cannot check itself, e.g. that the dependencies ended well. Empty when nothing is needed.
    virtual std::string dependency_check() const { return {}; }
    /// Bash arithmetic: how many times the scheduler has started the job again under the same id
    /// (SLURM's requeue after a preemption or a node failure): 0 on its first start. MILEX_ATTEMPT
    /// is milex's attempt plus this.
    virtual std::string restart_count() const { return "0"; }
    /// For a job with retries (job.retries > 0), bash lines at the start of every attempt: what
    /// the last allowed attempt changes. Empty when nothing is needed.
    virtual std::string attempt_start(const model::Job& job) const {
        (void)job;
        return {};
    }
    /// For a job with retries, bash lines run once its application has ended, before the script
    /// exits with the application's status: what brings the job back. `signal` is the signal the
    /// scheduler sends before the time limit ("USR1"), which the script notes in milex_signal;
    /// `lock` the run's lock file on the machine, as a shell word (milex resubmit takes it too).
    virtual std::string attempt_end(const model::Job& job, const std::string& signal, const std::string& lock) const {
        (void)job, (void)signal, (void)lock;
        return {};
    }
    /// The file the scheduler writes for `name`.
    virtual std::string log_file(const LogName& name) const = 0;
};

/// The dialect of a kind of scheduler ("none" runs scripts directly, with SLURM's variables).
const Dialect& dialect_of(model::SchedulerKind kind);

/// A SLURM output pattern with %x %j %A %a %u %% filled in (task "" for a plain job).
std::string fill_slurm_pattern(const LogName& name);

} // namespace milex::scheduler
