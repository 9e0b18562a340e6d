#pragma once
/// Batch scripts rendered from templates/job.sh.mustache (built into the binary).
#include <string>

#include "milex/model/job.hpp"
#include "milex/model/machine.hpp"

namespace milex::render {

struct ScriptInput {
    const model::Job& job;
    const model::Machine& machine;
    std::string bundle;   ///< bundle stem, for the header comment
    std::string version;  ///< milex's version, for the header comment
};

/// The #SBATCH options of a job on a machine, in the order they appear in the script:
/// job name, output, account and partition from the machine, the machine's sbatch defaults,
/// then the job's own request (a job's value wins over the machine's).
model::SlurmOptions script_options(const model::Job& job, const model::Machine& machine);

/// The application call, one single-quoted word per line, joined with ` \` continuations.
std::string application_call(const model::Job& job);

/// The --array spec of a sweep: 0-(N-1), with %limit.
std::string sweep_array(const model::Sweep& sweep);

/// The words combination `combination` of the job's sweep adds to the application call.
std::vector<std::string> sweep_words(const model::Job& job, size_t combination);

/// The whole batch script.
std::string render_script(const ScriptInput& input);

/// The template text, as built in.
const std::string& job_template();

} // namespace milex::render
