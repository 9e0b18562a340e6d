#pragma once
/// Batch scripts rendered from templates/job.sh.mustache (built into the binary).
#include <string>

#include "milex/render/arguments.hpp"
#include "milex/model/job.hpp"
#include "milex/model/machine.hpp"
#include "milex/render/container.hpp"

namespace milex::render {

struct ScriptInput {
    const model::Job& job;
    const model::Machine& machine;
    std::string bundle;   ///< bundle stem, for the header comment
    std::string version;  ///< milex's version, for the header comment
    /// For a container job: its image as prepared for the machine; null means direct_image().
    const RuntimeImage* image = nullptr;
    int attempt = 1;  ///< which attempt of the job this script is (MILEX_ATTEMPT)
    /// The run's lock file on the machine, which a job retrying itself takes (as milex
    /// resubmit does) before it asks the scheduler to queue it again.
    std::string lock = {};
};

/// The job that converts a local image into a .sif on an apptainer/singularity machine, once
/// per image digest; the jobs that run the image wait for it (afterok).
struct ConversionInput {
    std::string job_name;  ///< `milex-convert-<first 12 hex digits of the image id>`
    std::string archive;   ///< the docker archive in the machine's container cache
    std::string sif;       ///< the .sif it becomes, beside it
    std::string note;      ///< which image it is, for the script's comment
};

/// The application call, one single-quoted word per line, joined with ` \` continuations.
std::string application_call(const model::Job& job);

/// The words combination `combination` of the job's sweep adds to the application call.
std::vector<std::string> sweep_words(const model::Job& job, size_t combination);

/// The application's words that every task shares (a sweep's keys left out).
std::vector<std::string> base_words(const model::Job& job);
/// The same in two parts: a sweep task's words go between them (before the positionals, which
/// a REMAINDER positional would otherwise swallow them into).
ApplicationWords base_word_parts(const model::Job& job);

/// The whole batch script. A container job calls its runtime (container_call) instead of the
/// bare application.
std::string render_script(const ScriptInput& input);

/// The conversion job's batch script: the machine's modules and env_command, then the build,
/// skipped when the .sif is there already (another run converted it meanwhile).
std::string render_conversion_script(const ConversionInput& input, const model::Machine& machine,
                                     const std::string& bundle, const std::string& version);

/// The template text, as built in.
const std::string& job_template();

} // namespace milex::render
