#include "milex/submit/submit.hpp"

#include <fmt/format.h>

#include "milex/render/script.hpp"
#include "milex/scheduler/request.hpp"
#include "milex/util/text.hpp"
#include "milex/version.hpp"

namespace milex::submit {

void dry_run(const model::Config& config, const model::Machine& machine, const Plan& plan,
             const scheduler::Scheduler& scheduler, const std::function<void(std::string_view)>& emit,
             const ContainerPlan& containers, const SnapshotPlan& snapshots) {
    const store::RunStore runs(config.local().path + "/runs");
    const int submission = runs.next_submission(plan.file.stem(), machine.name);
    for (const auto& image : containers.images) {
        emit(fmt::format("# ---- image {}: {}\n", image.image, image.summary(machine, containers.engine)));
        if (!image.convert) continue;
        const std::string path = script_path(machine, plan.file.stem(), image.conversion_job(), submission);
        emit(fmt::format("# ---- job {}: {}\n", image.conversion_job(), path));
        emit(render::render_conversion_script({image.conversion_job(), image.archive, image.sif,
                                               fmt::format("{} (image id {})", image.image, image.id)},
                                              machine, plan.file.stem(), version()));
        emit(fmt::format("# ---- submitted as <{}> by:\n{}\n\n", image.conversion_job(),
                         util::join(scheduler.submit_command({image.conversion_job(), path, {}, "", "", 0, ""}), " ")));
    }
    for (const auto& snapshot : snapshots.snapshots)
        emit(fmt::format("# ---- code snapshot {}: {}; {} {} (one tar stream)\n", snapshot.id,
                         snapshot_summary(snapshot.details),
                         snapshot.ship ? "copied first from here to" : "on the machine already in", snapshot.directory));
    for (size_t index : plan.order) {
        const model::Job& job = plan.bundle.jobs[index];
        const std::string path = script_path(machine, plan.file.stem(), job.name, submission);
        const auto options = scheduler::job_request(job, machine);
        const auto* time = model::find_option(options, "time");
        scheduler::SubmitRequest request{job.name, path, {}, fmt::format("milex:<run token>:{}:1", job.name), "", 0,
                                         time ? *time : ""};
        if (job.container && containers.of(job.container->image).convert)
            request.after_ok.push_back("<" + containers.of(job.container->image).conversion_job() + ">");
        for (const auto& dep : job.dependencies) request.after_ok.push_back("<" + dep + ">");
        emit(fmt::format("# ---- job {}: {}\n", job.name, path));
        emit(render_job(job, machine, plan.file.stem(), containers));
        emit(fmt::format("# ---- submitted as <{}> by:\n{}\n\n", job.name,
                         util::join(scheduler.submit_command(request), " ")));
    }
}

} // namespace milex::submit
