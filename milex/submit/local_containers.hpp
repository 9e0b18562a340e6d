#pragma once
/// `milex-run --local-container`: the container jobs of a bundle run on this host with podman
/// or docker, one after the other in dependency order, without SLURM, to try an image before
/// it is sent to a cluster (DockSing's `--local`).
#include <functional>
#include <string>

#include "milex/model/machine.hpp"
#include "milex/submit/containers.hpp"
#include "milex/submit/submit.hpp"
#include "milex/transport/transport.hpp"

namespace milex::submit {

/// `machine` as a podman/docker machine on this host: itself when its runtime is podman or
/// docker; otherwise with `engine` as runtime and none of its container_options or
/// container_gpus, which were meant for another runtime. Throws Error for a remote machine.
model::Machine local_container_machine(const model::Machine& machine, const std::string& engine);

struct LocalProgress {
    std::function<void(const model::Job& job, size_t number, size_t total)> starting;
    std::function<void(const model::Job& job, const util::ProcessResult& result)> finished;
    std::function<void(const model::Job& job)> skipped;  ///< a job without a container
};

/// Runs each container job of `plan` as its batch script (modules, env_command, pre-commands,
/// then the container; the #SBATCH lines are comments to bash) through `transport`, in
/// dependency order, and stops at the first that fails. Returns the failed job's name, or
/// an empty string when every job succeeded.
std::string run_containers_here(const Plan& plan, const model::Machine& machine, const ContainerPlan& containers,
                                transport::Transport& transport, const LocalProgress& progress);

} // namespace milex::submit
