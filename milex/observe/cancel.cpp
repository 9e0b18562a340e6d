#include "milex/observe/cancel.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "milex/observe/status.hpp"
#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::observe {

std::vector<std::string> cancel_jobs(store::StoredRun& run, const store::RunStore& runs,
                                     scheduler::Scheduler& scheduler, const std::vector<std::string>& names,
                                     const std::string& reason) {
    const auto jobs = refresh(run, scheduler, runs);

    std::vector<std::string> known;
    for (const auto& job : jobs) known.push_back(job.name);
    for (const auto& name : names) {
        if (std::find(known.begin(), known.end(), name) == known.end())
            throw Error(fmt::format("run {}@{} has no job \"{}\"{}; it has: {}", run.record.bundle, run.record.machine,
                                    name, util::did_you_mean(name, known), util::join(known, ", ")));
    }
    std::vector<std::string> ids, cancelled;
    for (const auto& job : jobs) {
        if (!names.empty() && std::find(names.begin(), names.end(), job.name) == names.end()) continue;
        // Jobs held forever behind a failed dependency are still in the queue: cancel them too.
        if (scheduler::is_final(job.state.state) && job.state.state != scheduler::State::never_ran) continue;
        if (job.job_id.empty()) continue;  // never reached the queue
        for (const auto& id : run.record.find(job.name)->ids()) ids.push_back(id);
        cancelled.push_back(job.name);
    }
    if (ids.empty()) return {};
    scheduler.cancel(ids);
    mark(run, runs, cancelled, scheduler::State::cancelled, reason);
    return cancelled;
}

} // namespace milex::observe
