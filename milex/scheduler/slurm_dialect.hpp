#pragma once
/// SLURM's batch script: `#SBATCH --key=value` lines in the bundle's own words.
#include "milex/scheduler/dialect.hpp"

namespace milex::scheduler {

class SlurmDialect : public Dialect {
public:
    const char* name() const override { return "SLURM"; }
    std::vector<std::string> directives(const model::Job& job, const model::Machine& machine) const override;
    std::string environment() const override;
    std::string log_file(const LogName& name) const override;
    std::string restart_count() const override { return "${SLURM_RESTART_COUNT:-0}"; }
    std::string attempt_start(const model::Job& job) const override;
    std::string attempt_end(const model::Job& job, const std::string& signal, const std::string& lock) const override;
};

} // namespace milex::scheduler
