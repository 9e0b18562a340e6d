#pragma once
/// One job of a bundle: which application to run, with which arguments, after which jobs, with
/// which resources. It holds nothing about the user or the machine, so bundles can be shared.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "milex/model/slurm_options.hpp"

namespace milex::model {

struct Job {
    std::string name;
    std::string script;  ///< the application; `<script>-cli` describes its arguments
    nlohmann::ordered_json script_args = nlohmann::ordered_json::object();
    std::vector<std::string> dependencies;
    std::vector<std::string> pre_commands;
    SlurmOptions slurm;

    /// The job as written to a bundle file (`pre_commands` with an underscore, which the Python
    /// milex's renderer reads too).
    nlohmann::ordered_json to_json() const;
};

/// Why a job or bundle name is not usable (it becomes part of file names and of #SBATCH
/// lines), or an empty string when it is fine. `what` is "job" or "bundle".
std::string name_problem(const std::string& name, const std::string& what);

} // namespace milex::model
