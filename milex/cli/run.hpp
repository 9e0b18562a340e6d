#pragma once
#include <string>

#include "milex/cli/flags.hpp"
#include "milex/model/machine.hpp"

namespace milex::cli {

struct RunFlags {
    MachineFlags machine;
    bool dry_run = false;
    bool again = false;
    bool no_verify = false;
    bool wait = false;
    bool local_container = false;  ///< run the container jobs here with podman/docker, no SLURM
};

/// Submits bundle `reference` as milex-run does, printing progress; shared by milex-run and
/// milex-schedule --run-now.
int run_bundle(const model::Config& config, const std::string& reference, const RunFlags& flags);

} // namespace milex::cli
