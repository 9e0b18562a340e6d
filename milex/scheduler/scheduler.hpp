#pragma once
/// What milex asks of a batch system: submit, observe, cancel, and what is free. SLURM is the
/// one there is (plus running jobs directly on a machine without one); their text formats stay
/// inside scheduler/.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "milex/util/error.hpp"

namespace milex::scheduler {

struct SubmitRequest {
    std::string job_name;               ///< the job's name, which SLURM shows too
    std::string script_path;            ///< the rendered script, already on the machine
    std::vector<std::string> after_ok;  ///< ids that must end successfully first
    /// A mark unique to this submission (run token, job, attempt), given to the scheduler with
    /// the job (SLURM: --comment), so that a submission whose answer was lost can be found.
    std::string tag;
    /// For an array submitted in parts or in part: the task indices to run (overriding the
    /// script's own), and the number the batch script adds to each (MILEX_TASK_OFFSET).
    std::string array;
    size_t task_offset = 0;
    /// The job's time limit (SLURM's --time forms), for a scheduler that enforces it itself
    /// (direct); SLURM reads it from the script. Empty: none.
    std::string time_limit;
};

struct Submission {
    std::string job_id;
    std::string cluster;  ///< empty on a single-cluster site
};

/// One job of a bundle submitted in one go (Scheduler::submit_bundle).
struct BundleJob {
    SubmitRequest request;          ///< its after_ok: the ids known before the bundle is sent
    std::vector<size_t> after_jobs;  ///< the earlier jobs of the same bundle it waits for
};

/// Gets the id of the bundle's job `index` as soon as it is known, in the bundle's order.
using BundleSubmitted = std::function<void(size_t index, const Submission& submission)>;

/// The scheduler refused the bundle's job `index` (`what()` says why, as submit() would): the
/// jobs before it were submitted (and reported), none after it was.
class JobRefused : public Error {
public:
    JobRefused(const Error& error, size_t index) : Error(error), m_index(index) {}
    size_t index() const { return m_index; }

private:
    size_t m_index;
};

enum class State {
    pending,
    running,
    completed,
    failed,
    timeout,
    cancelled,
    out_of_memory,
    node_fail,
    preempted,
    never_ran,  ///< a dependency failed: the job will never start
    stopped,    ///< stopped by its user (milex stop): ended, not a failure; milex resume runs it again
    unknown,    ///< gone from the queue without a trace of how it ended
};

/// "PENDING", "RUNNING", …, "NEVER_RAN", "UNKNOWN".
std::string state_name(State state);
/// The inverse of state_name; unknown for a name it does not know.
State state_from_name(const std::string& name);
/// Whether the job can change no more: everything but pending, running and unknown.
bool is_final(State state);

/// One job (or array task) as milex last saw it.
struct JobState {
    State state = State::unknown;
    std::string reason;     ///< why it is pending, or how its end is known
    std::string exit_code;  ///< the exit status ("0", "3"), or "signal 9"
    std::string elapsed;    ///< run time so far, [D-]HH:MM:SS
    std::string node;
    std::string start;  ///< ISO 8601 UTC, when known
    std::string end;
};

/// A job milex submitted, as asked about: its id, its name (SLURM reuses ids: a job of another
/// name under that id is not ours), when it was submitted, and whether it is an array.
struct JobQuery {
    std::string id;
    std::string name;
    std::string submitted;  ///< ISO 8601 UTC
    std::string array;      ///< the --array spec for an array job ("0-3"), else ""
    std::string time_limit;  ///< the --time it was submitted with: tells a time-out from a cancel
    /// The scheduler may have queued it again under its id (its submit time then moves on):
    /// its earlier runs are asked for too (JobReport::requeues).
    bool requeue = false;
};

/// The answer for one submitted job: its own state and, for an array, each task's ("3", "4", …).
struct JobReport {
    JobState job;
    std::map<std::string, JobState> tasks;
    /// For a job asked with `requeue`: how each earlier run under its id ended, oldest first.
    std::vector<JobState> requeues;
};

/// Per partition and GPU type: what is there, what is free, and who waits for it.
struct PartitionResources {
    std::string partition;
    std::string gpu_type;  ///< "" for a partition without GPUs
    int gpus_total = 0;
    int gpus_free = 0;
    int cpus_total = 0;
    int cpus_free = 0;
    std::vector<std::string> nodes_with_free_gpus;
    int pending_gpu_jobs = 0;  ///< pending jobs asking for this kind of GPU here
};

/// One limit on the user's jobs (`MaxWall` = `1-00:00:00`) and where it is set: "you" (the
/// user's association), "account" (the account's), "qos normal".
struct UsageLimit {
    std::string name;
    std::string value;
    std::string from;
};

/// What the user used of one account since a time, and how the scheduler weighs it.
struct AccountUsage {
    std::string account;
    size_t jobs = 0;  ///< jobs (array tasks and requeued runs one by one) that ran or run in the window
    double cpu_hours = 0;
    double gpu_hours = 0;
    /// The fair-share factor of the user in this account: 1 unused, 0.5 using just what is
    /// granted, towards 0 using more (SLURM's sshare FairShare).
    std::optional<double> fair_share;
    /// The user's part of the account's usage as fair share counts it (decayed), 0–1.
    std::optional<double> share_of_account;
    std::vector<UsageLimit> limits;
};

struct Usage {
    std::string user;     ///< as the machine knows the user
    std::string cluster;  ///< "" where the scheduler has no such name
    std::vector<AccountUsage> accounts;
};

class Scheduler {
public:
    virtual ~Scheduler() = default;
    /// Submits one script; throws Error naming the job and the scheduler's reason when refused.
    virtual Submission submit(const SubmitRequest& request) = 0;
    /// The command submit() runs, with `ids` standing in for the dependency ids (for --dry-run).
    virtual std::vector<std::string> submit_command(const SubmitRequest& request) const = 0;

    /// Submits `jobs` in order, each waiting for its after_ok ids and for the ids its after_jobs
    /// got, in as few calls to the machine as the scheduler allows; `submitted` gets each id as
    /// it comes back. SLURM and Grid Engine send the whole bundle at once: one shell loop on the
    /// machine that holds the file `lock` (flock) while it runs, stops at the first refusal and
    /// when its connection drops (SIGHUP, or its output gone), and prints each id as it is made.
    /// This default submits them one by one. Throws JobRefused for a refusal; anything else
    /// (ConnectionLost, a time-out) leaves each job not yet reported either queued or not:
    /// wait_for_bundle(lock), then find_submitted says which.
    virtual void submit_bundle(const std::vector<BundleJob>& jobs, const std::string& lock,
                               const BundleSubmitted& submitted);

    /// Returns once no submit_bundle loop holding `lock` runs on the machine any more (one that
    /// outlived its connection stops at its next job); throws Error when one still does after a
    /// minute. Nothing to wait for by default.
    virtual void wait_for_bundle(const std::string& lock) { (void)lock; }

    /// The job submitted for `request` (found by its tag) if the scheduler has it: after a
    /// submission failed in a way that may have been accepted (a time-out, a lost connection, a
    /// killed milex). `since` is when it was attempted (ISO 8601 UTC).
    virtual std::optional<Submission> find_submitted(const SubmitRequest& request, const std::string& since) = 0;

    /// What became of these jobs, keyed by id, in as few calls to the machine as the batch
    /// system allows (SLURM: one squeue, at most one sacct, at most one read of exit-status
    /// files), whatever the number of jobs. Jobs it cannot find come back unknown.
    virtual std::map<std::string, JobReport> query(const std::vector<JobQuery>& jobs) = 0;

    /// Cancels these jobs in one call; ids that already ended are ignored.
    virtual void cancel(const std::vector<std::string>& ids) = 0;

    /// Free and total GPUs and CPUs per partition and GPU type, drained and down nodes left out.
    virtual std::vector<PartitionResources> resources() = 0;

    /// How many jobs (array tasks counted one by one) the user has queued or running now.
    virtual size_t queued_jobs() = 0;

    /// The most jobs the site lets the user have queued (SLURM's MaxSubmitJobs), if it says.
    virtual std::optional<size_t> submit_limit() = 0;

    /// The largest array index plus one the site accepts (SLURM's MaxArraySize); nullopt when
    /// arrays are not a thing there.
    virtual std::optional<size_t> max_array_size() = 0;

    /// The most jobs the controller holds for all its users together, array tasks counted one
    /// by one (SLURM's MaxJobCount, where ended jobs count until MinJobAge has passed and a
    /// submission beyond it fails: "Slurm temporarily unable to accept job"); nullopt when the
    /// scheduler has no such limit.
    virtual std::optional<size_t> max_job_count() = 0;

    /// How many jobs the controller holds now, every user's, counted as max_job_count counts.
    virtual size_t held_jobs() = 0;

    /// The user's CPU and GPU hours per account over the last `since`, the fair-share factor
    /// and the limits that apply, in one call to the machine; nullopt where the scheduler keeps
    /// no such record.
    virtual std::optional<Usage> usage(std::chrono::seconds since) {
        (void)since;
        return std::nullopt;
    }
};

} // namespace milex::scheduler
