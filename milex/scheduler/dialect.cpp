#include "milex/scheduler/dialect.hpp"

#include "milex/scheduler/sge_dialect.hpp"
#include "milex/scheduler/slurm_dialect.hpp"

namespace milex::scheduler {

const Dialect& dialect_of(model::SchedulerKind kind) {
    static const SlurmDialect k_slurm;
    static const SgeDialect k_sge;
    switch (kind) {
    case model::SchedulerKind::slurm:
    case model::SchedulerKind::none:  // the direct runner sets SLURM's variables
        return k_slurm;
    case model::SchedulerKind::sge:
        return k_sge;
    }
    return k_slurm;
}

std::string fill_slurm_pattern(const LogName& name) {
    const std::string& pattern = name.pattern;
    std::string out;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '%' || i + 1 >= pattern.size()) {
            out += pattern[i];
            continue;
        }
        const char c = pattern[++i];
        if (c == 'x') out += name.job_name;
        else if (c == 'j') out += name.task.empty() ? name.job_id : name.job_id + "_" + name.task;
        else if (c == 'A') out += name.job_id;
        else if (c == 'a') out += name.task;
        else if (c == 'u') out += name.user;
        else if (c == '%') out += '%';
        else {
            out += '%';
            out += c;
        }
    }
    return out;
}

} // namespace milex::scheduler
