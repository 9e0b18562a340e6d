#include "milex/scheduler/slurm_dialect.hpp"

#include <fmt/format.h>

#include "milex/scheduler/request.hpp"

namespace milex::scheduler {

std::vector<std::string> SlurmDialect::directives(const model::Job& job, const model::Machine& machine) const {
    std::vector<std::string> lines;
    for (const auto& option : job_request(job, machine))
        lines.push_back(fmt::format("#SBATCH {}={}", model::sbatch_option(option.key), option.value));
    return lines;
}

std::string SlurmDialect::environment() const {
    return R"sh(# SLURM's variables as milex's (the direct runner sets SLURM_JOB_ID and SLURM_JOB_NAME too)
if [ -n "${SLURM_ARRAY_JOB_ID:-}" ]; then milex_id="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"; else milex_id="${SLURM_JOB_ID:-$$}"; fi
export MILEX_JOB_ID="${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-$$}}"
export MILEX_TASK_ID=$(( ${SLURM_ARRAY_TASK_ID:-0} + ${MILEX_TASK_OFFSET:-0} ))
milex_name="${SLURM_JOB_NAME:-}"
)sh";
}

std::string SlurmDialect::log_file(const LogName& name) const { return fill_slurm_pattern(name); }

} // namespace milex::scheduler
