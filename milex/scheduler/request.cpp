#include "milex/scheduler/request.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "milex/util/text.hpp"

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
    if (!machine.mail_user.empty()) options.push_back({"mail_user", machine.mail_user});
    if (!machine.mail_type.empty()) options.push_back({"mail_type", machine.mail_type});
    model::SlurmOptions request = job.slurm;
    if (job.sweep) model::set_option(request, "array", sweep_array(*job.sweep));
    model::SlurmOptions all = model::merged(model::merged(options, machine.sbatch), request);
    if (job.retries > 0) {
        // Retries are the scheduler's requeue: a job requeued when preempted or when its node
        // fails, and warned before its time limit so that it can checkpoint and requeue itself.
        const bool requeued = job.retries_on(model::RetryOn::preempted) || job.retries_on(model::RetryOn::node_fail);
        if (requeued && !model::find_option(all, "requeue")) all.push_back({"requeue", "true"});
        if (job.retries_on(model::RetryOn::timeout) && !model::find_option(all, "signal"))
            all.push_back({"signal", k_default_retry_signal});
    }
    return all;
}

std::optional<model::SignalSpec> job_signal(const model::SlurmOptions& request) {
    const std::string* value = model::find_option(request, "signal");
    return value ? model::parse_signal(*value) : std::nullopt;
}

std::optional<std::string> retry_problem(const model::Job& job, const model::SlurmOptions& request) {
    if (job.retries == 0) return std::nullopt;
    const bool preempted = job.retries_on(model::RetryOn::preempted);
    const bool node_fail = job.retries_on(model::RetryOn::node_fail);
    if (preempted != node_fail)
        return fmt::format("job \"{}\": retry_on has {} without {}: the scheduler requeues a job for both or for "
                           "neither; give both, or neither",
                           job.name, preempted ? "preempted" : "node_fail", preempted ? "node_fail" : "preempted");
    const std::string* requeue = model::find_option(request, "requeue");
    if (preempted && requeue && *requeue == "false")
        return fmt::format("job \"{}\": \"requeue\": false contradicts retries on preempted and node_fail (a "
                           "retry is a requeue); remove --no-requeue, or set --retry-on timeout",
                           job.name);
    const auto signal = job_signal(request);
    if (job.retries_on(model::RetryOn::timeout) && signal && signal->name == "TERM")
        return fmt::format("job \"{}\": retries on timeout need a --signal other than TERM (which the scheduler "
                           "also sends when it preempts or cancels the job), e.g. USR1@300",
                           job.name);
    return std::nullopt;
}

std::optional<GpuAsk> gpu_ask(const std::string& gres_item) {
    auto parts = util::split(gres_item, ':');
    if (parts.empty() || parts[0] != "gpu") return std::nullopt;
    if (parts.size() == 1) return GpuAsk{"", "1"};
    if (parts.size() == 2) {
        if (parts[1].find_first_not_of("0123456789") == std::string::npos) return GpuAsk{"", parts[1]};
        return GpuAsk{parts[1], "1"};
    }
    return GpuAsk{parts[1], parts[2]};
}

std::optional<Disallowed> disallowed(const model::SlurmOptions& request, const model::Machine& machine) {
    auto allows = [](const std::vector<std::string>& list, const std::string& name) {
        return std::find(list.begin(), list.end(), name) != list.end();
    };
    if (!machine.allowed_partitions.empty()) {
        const std::string listed = util::join(machine.allowed_partitions, ", ");
        const std::string* partition = model::find_option(request, "partition");
        if (!partition)
            return Disallowed{"partition", fmt::format("--partition is required on machine \"{}\" (its "
                                                       "allowed_partitions): choose one of {}",
                                                       machine.name, listed)};
        if (!allows(machine.allowed_partitions, *partition))
            return Disallowed{"partition", fmt::format("--partition \"{}\" is not allowed on machine \"{}\"; its "
                                                       "allowed_partitions are {}",
                                                       *partition, machine.name, listed)};
    }
    if (machine.allowed_gpu_types.empty()) return std::nullopt;
    const std::string listed = util::join(machine.allowed_gpu_types, ", ");
    for (const auto& option : request) {
        // gres items are name[:type][:count]; --gpus and its kin are [type:]count.
        std::vector<std::string> types;
        if (option.key == "gres") {
            for (const auto& item : util::split(option.value, ','))
                if (auto ask = gpu_ask(item)) types.push_back(ask->type);
        } else if (option.key == "gpus" || option.key == "gpus_per_node" || option.key == "gpus_per_task") {
            const size_t colon = option.value.rfind(':');
            types.push_back(colon == std::string::npos ? "" : option.value.substr(0, colon));
        }
        for (const auto& type : types) {
            if (type.empty())
                return Disallowed{option.key, fmt::format("--{} \"{}\" asks for a GPU of any type, but machine \"{}\" "
                                                          "allows only {} (its allowed_gpu_types); name one, e.g. "
                                                          "gpu:{}:1",
                                                          option.key, option.value, machine.name, listed,
                                                          machine.allowed_gpu_types.front())};
            if (!allows(machine.allowed_gpu_types, type))
                return Disallowed{option.key, fmt::format("--{} \"{}\": GPU type \"{}\" is not allowed on machine "
                                                          "\"{}\"; its allowed_gpu_types are {}",
                                                          option.key, option.value, type, machine.name, listed)};
        }
    }
    return std::nullopt;
}

} // namespace milex::scheduler
