#include "milex/submit/local_containers.hpp"

#include <fmt/format.h>

#include "milex/util/error.hpp"

namespace milex::submit {

model::Machine local_container_machine(const model::Machine& machine, const std::string& engine) {
    if (machine.remote())
        throw Error(fmt::format("--local-container runs jobs on this host, but machine \"{}\" is remote; leave out "
                                "--machine or name a machine of this host",
                                machine.name));
    model::Machine here = machine;
    if (machine.container_runtime == model::ContainerRuntime::podman ||
        machine.container_runtime == model::ContainerRuntime::docker)
        return here;
    here.container_runtime = engine == "docker" ? model::ContainerRuntime::docker : model::ContainerRuntime::podman;
    here.container_options.clear();
    here.container_gpus.reset();
    return here;
}

std::string run_containers_here(const Plan& plan, const model::Machine& machine, const ContainerPlan& containers,
                                transport::Transport& transport, const LocalProgress& progress) {
    size_t total = 0, number = 0;
    for (const auto& job : plan.bundle.jobs) total += job.container ? 1 : 0;
    for (size_t index : plan.order) {
        const model::Job& job = plan.bundle.jobs[index];
        if (!job.container) {
            if (progress.skipped) progress.skipped(job);
            continue;
        }
        if (progress.starting) progress.starting(job, ++number, total);
        const std::string script = render_job(job, machine, plan.file.stem(), containers);
        // No time limit: the job's own --time is SLURM's business; Ctrl-C stops it here.
        util::ProcessResult result = transport.run({"bash", "-c", script, "milex-" + job.name}, {});
        if (progress.finished) progress.finished(job, result);
        if (!result.succeeded()) return job.name;
    }
    return {};
}

} // namespace milex::submit
