#pragma once
/// Reading what SLURM's commands print. Kept apart from the commands themselves so that every
/// format can be tested on captured text.
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "milex/model/slurm_options.hpp"
#include "milex/scheduler/scheduler.hpp"

namespace milex::scheduler::slurm {

/// One line of `squeue -h -o '%i|%F|%K|%j|%T|%r|%M|%N|%V'` (%F: the array's id for every task).
struct QueueRow {
    std::string job_id;      ///< %F: the job, or the array it belongs to
    std::string tasks;       ///< %K: "" for a plain job; "3", or "4-9%2" for pending tasks
    std::string name;        ///< %j
    JobState state;
    std::string submitted;   ///< %V as printed
};
std::vector<QueueRow> parse_queue(const std::string& text);
std::string queue_format();

/// One line of `sacct -X -n -P -o JobID,JobName,State,ExitCode,Elapsed,NodeList,Submit,Start,End,Reason`.
struct AccountingRow {
    std::string job_id;  ///< the job or array it belongs to
    std::string tasks;   ///< "" for a plain job; "3", or "[4-9%2]" style ranges unexpanded
    std::string name;
    JobState state;
    std::string submitted;
};
std::vector<AccountingRow> parse_accounting(const std::string& text);
std::string accounting_fields();

/// SLURM's state word (RUNNING, "CANCELLED by 0", OUT_OF_MEMORY, …) as milex's state.
State state_of(const std::string& slurm_state);

// The request's grammars are the model's (one each): array specs and time limits.
using model::array_indices;
using model::fold_indices;
using model::time_limit_seconds;

/// An exit-status file written by the batch script (`start T`, then `end T exit N`; or from
/// the direct runner `never-ran DEP`, and `timeout T` when it stopped the job at its time
/// limit). Nothing when the text says nothing.
std::optional<JobState> parse_status_file(const std::string& text);

/// `scontrol show node -o -d` and `squeue -h -t PENDING -o '%P|%b'`, as resources.
std::vector<PartitionResources> parse_resources(const std::string& nodes, const std::string& pending);

/// SLURM times ("2026-11-22T03:44:48", in the cluster's local time) and milex's ISO UTC times
/// as seconds since the epoch; nullopt for "Unknown"/"None".
std::optional<long long> epoch_of(const std::string& time, bool utc);

/// A count of `scontrol show config` (MaxArraySize, MaxJobCount); nullopt when it is not there.
std::optional<size_t> config_count(const std::string& config, const std::string& key);

/// The smallest MaxSubmitJobs of `sacctmgr -n -P show assoc … format=MaxSubmit` (one per
/// association; empty lines are associations without a limit); nullopt when none is set.
std::optional<size_t> parse_submit_limit(const std::string& text);

/// The fields milex usage asks for: sacct's per job, sshare's, sacctmgr's per association and per QOS.
std::string usage_job_fields();
std::string usage_share_fields();
std::string usage_assoc_fields();
std::string usage_qos_fields();

/// The output of milex usage's one script (sections `@user`, `@cluster`, `@jobs`, `@shares`,
/// `@assoc`, `@qos`, each command's `@status N` after it) as the user's usage per account. The
/// unexpected value says which command failed and what it said (sacct without accounting).
tl::expected<Usage, std::string> parse_usage(const std::string& text);

/// [D-]HH:MM:SS for a number of seconds.
std::string duration_text(long long seconds);

} // namespace milex::scheduler::slurm
