#pragma once
/// Reading what Grid Engine's commands print (qsub -terse, qstat -xml, qacct -j, qstat -f -xml,
/// qconf -se/-sconf). Kept apart from the commands so that every format is tested on captured text.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "milex/scheduler/scheduler.hpp"

namespace milex::scheduler::sge {

/// `qsub -terse`: "21", or "23.1-3:1" for an array; nullopt when there is no id.
std::optional<std::string> parse_terse(const std::string& output);

/// One entry of `qstat -xml`: a job, or some tasks of an array (SGE's task ids, from 1).
struct QueueEntry {
    std::string job_id;
    std::string name;
    std::string state;  ///< qw, hqw, r, t, Eqw, dr, …
    std::vector<size_t> tasks;  ///< empty for a plain job
    std::string start;          ///< ISO local time, when running
    std::string node;           ///< the queue instance's host
};
std::vector<QueueEntry> parse_qstat(const std::string& xml);

/// A Grid Engine state word as milex's state and the reason to show.
JobState state_of(const std::string& state);

/// One block of `qacct -j ID`: a job or one task.
struct AccountingEntry {
    std::string job_id;
    std::string name;
    std::string task;  ///< SGE's task id, "" for a plain job ("undefined")
    JobState state;
};
std::vector<AccountingEntry> parse_qacct(const std::string& text);

/// The context variable milex_tag of each job `qstat -xml -j NAME` lists: id → tag.
std::map<std::string, std::string> parse_tags(const std::string& xml);

/// `qstat -f -xml -F gpu` (queue instances) and the exec hosts' complex_values (`qconf -se`),
/// plus `qstat -xml -s p -r` (pending jobs' requests), as resources per queue.
std::vector<PartitionResources> parse_resources(const std::string& queues, const std::string& hosts,
                                                const std::string& pending);

/// A value of `qconf -sconf` (max_aj_tasks, max_u_jobs); nullopt when missing or 0 (no limit).
std::optional<size_t> config_limit(const std::string& config, const std::string& key);

} // namespace milex::scheduler::sge
