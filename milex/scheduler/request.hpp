#pragma once
/// A job's request on a machine, in the bundle's words. Bundles keep SLURM's words (`time`, `mem`,
/// `cpus_per_task`, `gres`, `array`, `partition`, …: users and upstream bundles use them); each
/// scheduler translates them into its own terms (Dialect::directives) and refuses what it cannot
/// express.
#include <string>

#include "milex/model/job.hpp"
#include "milex/model/machine.hpp"

namespace milex::scheduler {

/// The request of a job on a machine, in the order a script states it: job name, output, account
/// and partition from the machine, the machine's sbatch defaults, then the job's own request (a
/// job's value wins over the machine's); a sweep adds its array.
model::SlurmOptions job_request(const model::Job& job, const model::Machine& machine);

/// The array spec of a sweep: 0-(N-1), with %limit.
std::string sweep_array(const model::Sweep& sweep);

} // namespace milex::scheduler
