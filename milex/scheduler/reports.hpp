#pragma once
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "milex/scheduler/scheduler.hpp"

namespace milex::scheduler {

/// The state of an array from its tasks': running or pending while any is, else completed when
/// all are, else the first way a task ended badly.
JobState combine_tasks(const std::map<std::string, JobState>& tasks);

/// What one `Scheduler::query` has learnt so far, shared by every scheduler: each asks its
/// sources in turn (queue, accounting, exit-status files), records what each tells and asks the
/// next only about what is still unresolved.
class ReportBook {
public:
    /// `jobs` must outlive the book.
    explicit ReportBook(const std::vector<JobQuery>& jobs);

    /// The job asked for under this id, or nullptr (ids of other jobs are ignored).
    const JobQuery* job(const std::string& id) const;
    /// Records the state of a job, or of some tasks of an array (`tasks` empty: all of them).
    /// Tasks that were not asked for are ignored; `overwrite` false keeps what is known.
    void record(const std::string& id, const std::vector<std::string>& tasks, const JobState& state, bool overwrite);
    /// Notes an earlier run of the job `id` under the same id (a requeue), oldest first.
    void record_requeue(const std::string& id, const JobState& state);
    /// The ids with a job or a task still unknown, in the order asked.
    std::vector<std::string> unresolved() const;
    /// The exit-status files (`<dir>/<name>-<id>[_<task>].status`) of what is unresolved:
    /// file → (id, task).
    std::map<std::string, std::pair<std::string, std::string>> status_files(const std::string& dir) const;
    /// The reports; whatever is still unknown gets `lost_reason`, arrays the state of their tasks.
    std::map<std::string, JobReport> finish(const std::string& lost_reason);

private:
    bool resolved(const std::string& id) const;

    std::vector<std::string> m_ids;
    std::map<std::string, const JobQuery*> m_by_id;
    std::map<std::string, std::vector<std::string>> m_expected;  ///< an array's indices, in order
    std::map<std::string, std::set<std::string>> m_wanted;       ///< the same, to look up
    std::map<std::string, JobReport> m_reports;
};

} // namespace milex::scheduler
