#pragma once
/// Grid Engine's batch script: `#$` lines translated from the bundle's SLURM words, SGE's
/// variables mapped to milex's, and a check of the dependencies' exit-status files.
#include "milex/scheduler/dialect.hpp"

namespace milex::scheduler {

class SgeDialect : public Dialect {
public:
    const char* name() const override { return "Grid Engine"; }
    std::vector<std::string> directives(const model::Job& job, const model::Machine& machine) const override;
    std::string environment() const override;
    std::string dependency_check() const override;
    std::string log_file(const LogName& name) const override;
    /// A job run again (-r y, after its host went down) has RESTARTED=1.
    std::string restart_count() const override { return "${RESTARTED:-0}"; }
};

namespace sge {

/// A SLURM array spec ("0-9", "0-99:2%5", "7", "1,3,7") as qsub's words, option and value in
/// pairs: `-t first+1-last+1[:step]` (Grid Engine's task ids start at 1), `-tc limit`; a list
/// runs over its whole range with `-v MILEX_TASKS=1:3:7`, the tasks not listed ending at once.
std::vector<std::string> array_words(const std::string& spec, const std::string& where);

/// A SLURM output pattern (%x %j %A %a %%) as Grid Engine's ($JOB_NAME $JOB_ID $TASK_ID); throws
/// Error for the other % fields.
std::string output_pattern(const std::string& pattern, const std::string& where);

/// A SLURM memory size (16G, 1500, 512M) in megabytes.
unsigned long long memory_megabytes(const std::string& value);

/// SLURM mail types ("END,FAIL", "ALL") as qsub's -m letters ("ea", "bea"); throws Error for the
/// types Grid Engine has no letter for (TIME_LIMIT, REQUEUE, …).
std::string mail_letters(const std::string& types, const std::string& where);

} // namespace sge

} // namespace milex::scheduler
