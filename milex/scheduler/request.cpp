#include "milex/scheduler/request.hpp"

#include <fmt/format.h>

namespace milex::scheduler {

std::string sweep_array(const model::Sweep& sweep) {
    std::string spec = fmt::format("0-{}", sweep.combinations.size() - 1);
    if (sweep.limit > 0) spec += fmt::format("%{}", sweep.limit);
    return spec;
}

model::SlurmOptions job_request(const model::Job& job, const model::Machine& machine) {
    model::SlurmOptions options;
    options.push_back({"job_name", job.name});
    const bool array = job.sweep || model::find_option(job.slurm, "array") != nullptr;
    // Logs beside the scripts unless the job says otherwise; array tasks each get their own.
    options.push_back({"output", machine.path + (array ? "/slurm/%x-%A_%a.out" : "/slurm/%x-%j.out")});
    if (!machine.slurm_account.empty()) options.push_back({"account", machine.slurm_account});
    if (!machine.partition.empty()) options.push_back({"partition", machine.partition});
    model::SlurmOptions request = job.slurm;
    if (job.sweep) model::set_option(request, "array", sweep_array(*job.sweep));
    return model::merged(model::merged(options, machine.sbatch), request);
}

} // namespace milex::scheduler
