#include "milex/submit/submit_jobs.hpp"

#include <fmt/format.h>

#include "milex/util/error.hpp"

namespace milex::submit {

void check_unchanged(const Plan& plan, const store::StoredRun& run) {
    for (const auto& kept : run.record.jobs) {
        const model::Job* job = plan.bundle.find(kept.name);
        if (!job || job_hash(*job) != kept.job_sha256)
            throw Error(fmt::format("job \"{}\" was changed in {} after it was submitted as {} (run {}); submit the "
                                    "bundle anew with --again",
                                    kept.name, model::display_path(plan.file.path), kept.job_id,
                                    run.record.submission));
    }
}

size_t adopt_interrupted(scheduler::Scheduler& scheduler, const store::RunStore& runs, store::StoredRun& run) {
    const std::string stopped = "found in the queue by its tag after milex stopped";
    size_t adopted_jobs = 0;
    for (size_t i = 0; i < run.record.jobs.size();) {
        model::JobRun& entry = run.record.jobs[i];
        if (!entry.job_id.empty()) {
            ++i;
            continue;
        }
        if (entry.parts.empty()) {
            scheduler::SubmitRequest request{entry.name, entry.script, entry.after, entry.tag, "", 0, entry.time_limit};
            if (auto found = scheduler.find_submitted(request, entry.submitted)) {
                entry.job_id = found->job_id;
                entry.states.push_back({"SUBMITTED", now_iso(), "", "", "", stopped});
                ++adopted_jobs;
                ++i;
            } else {
                run.record.jobs.erase(run.record.jobs.begin() + static_cast<long>(i));
            }
        } else {
            bool found_part = false;
            for (auto& part : entry.parts) {
                if (!part.job_id.empty()) continue;
                scheduler::SubmitRequest request{entry.name, entry.script, entry.after, part.tag,
                                                  part.array, part.offset, entry.time_limit};
                std::string adopted;
                if (auto found = scheduler.find_submitted(request, entry.submitted)) {
                    part.job_id = found->job_id;
                    found_part = true;
                } else {
                    part.job_id = submit_piece(scheduler, request, now_iso(), adopted).job_id;
                }
                runs.save(run.path, run.record);
            }
            adopted_jobs += found_part ? 1 : 0;
            entry.job_id = entry.parts.front().job_id;
            entry.states.push_back({"SUBMITTED", now_iso(), "", "", "", stopped});
            ++i;
        }
        runs.save(run.path, run.record);
    }
    return adopted_jobs;
}

} // namespace milex::submit
