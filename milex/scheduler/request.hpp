#pragma once
/// A job's request on a machine, in the bundle's words. Bundles keep SLURM's words (`time`, `mem`,
/// `cpus_per_task`, `gres`, `array`, `partition`, …: users and upstream bundles use them); each
/// scheduler translates them into its own terms (Dialect::directives) and refuses what it cannot
/// express.
#include <optional>
#include <string>

#include "milex/model/job.hpp"
#include "milex/model/machine.hpp"

namespace milex::scheduler {

/// The request of a job on a machine, in the order a script states it: job name, output, account
/// and partition from the machine, the machine's sbatch defaults, then the job's own request (a
/// job's value wins over the machine's); a sweep adds its array. A job with retries gets
/// "requeue" (retries on preempted and node_fail) and a signal (retries on timeout) unless it
/// says otherwise.
model::SlurmOptions job_request(const model::Job& job, const model::Machine& machine);

/// The signal a job with retries on timeout gets before its time limit when it names none:
/// 90 s before, as submitit does, time enough to write a checkpoint of a few GB.
inline constexpr const char* k_default_retry_signal = "USR1@90";

/// The signal of a request (job_request's), if it has one.
std::optional<model::SignalSpec> job_signal(const model::SlurmOptions& request);

/// What is contradictory in a job's retries with its request (job_request's): retry_on with
/// preempted but not node_fail (a scheduler requeues for both), "requeue": false with retries
/// on either, retries on timeout with the signal TERM. nullopt when fine.
std::optional<std::string> retry_problem(const model::Job& job, const model::SlurmOptions& request);

/// The array spec of a sweep: 0-(N-1), with %limit.
std::string sweep_array(const model::Sweep& sweep);

/// GPUs asked for by one gres item: "gpu:2", "gpu:fake:2", "gpu" → count 2, 2, 1, type "", "fake",
/// "". nullopt for any other resource ("shard:1G").
struct GpuAsk {
    std::string type;  ///< "" when any GPU type will do
    std::string count;
};
std::optional<GpuAsk> gpu_ask(const std::string& gres_item);

/// Something in a request that a machine's `allowed_partitions` / `allowed_gpu_types` refuse:
/// the option (`partition`, `gres`, `gpus`, …) and a one-line message that names the machine,
/// the key and the fix.
struct Disallowed {
    std::string key;
    std::string message;
};

/// The first thing in `request` (as job_request makes it) that `machine` does not allow: a
/// partition outside allowed_partitions (or none at all when the list is set: the site's default
/// partition could be any), a GPU type outside allowed_gpu_types (or a GPU of any type when that
/// list is set). nullopt when the machine sets neither list or all is allowed.
std::optional<Disallowed> disallowed(const model::SlurmOptions& request, const model::Machine& machine);

} // namespace milex::scheduler
