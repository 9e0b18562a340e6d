#pragma once
/// One job of a bundle: which application to run, with which arguments, after which jobs, with
/// which resources. It holds nothing about the user or the machine, so bundles can be shared.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "milex/model/container.hpp"
#include "milex/model/slurm_options.hpp"
#include "milex/model/snapshot.hpp"

namespace milex::model {

/// A parameter sweep: the job runs as a SLURM array, task i with combination i of the values
/// of `keys` (script_args keys), rendered with the job's spellings like any argument.
struct Sweep {
    std::vector<std::string> keys;
    std::vector<std::vector<nlohmann::ordered_json>> combinations;
    size_t limit = 0;  ///< at most this many tasks at once (%N); 0: no limit

    nlohmann::ordered_json to_json() const;
};

/// The ways a job can end that `retries` retries on the cluster (--retry-on).
enum class RetryOn { timeout, preempted, node_fail };

/// "timeout", "preempted", "node_fail".
const char* retry_on_name(RetryOn reason);

/// The words of --retry-on / "retry_on" ("timeout,preempted" or a list); the message names
/// what is wrong and the words there are.
tl::expected<std::vector<RetryOn>, std::string> parse_retry_on(const std::vector<std::string>& words);

/// What --retry-on means when not given: every reason there is.
const std::vector<RetryOn>& default_retry_on();

struct Job {
    std::string name;
    std::string script;  ///< the application; `<script>-cli` describes its arguments (may be empty
                         ///< for a container job with its own `command`)
    nlohmann::ordered_json script_args = nlohmann::ordered_json::object();
    /// How each key of script_args is written on the application's command line, as it was
    /// typed at schedule time: `"--learning-rate"` or `"-n"` (an option; for true/false values,
    /// the flag given when the value is true), `{"flag": "--no-cache", "when": false}` (a flag
    /// given for another value), a number (the key's place among the positionals), or null (not
    /// typed: left to the application's default). Null here (a Python milex bundle) means the
    /// upstream rendering, `--key=value` for every key.
    nlohmann::ordered_json script_options = nullptr;
    /// The fingerprint of script, script_args and script_options when APP-cli last agreed with
    /// their rendering (see introspect/verify.hpp); a job edited since no longer matches it.
    std::string verified;
    std::vector<std::string> dependencies;
    std::vector<std::string> pre_commands;
    SlurmOptions slurm;
    std::optional<Sweep> sweep;
    /// The container the job runs in; without one the application runs on the node itself.
    std::optional<Container> container;
    /// The folder of the code tree the job runs from, relative to the tree's root ("." for the
    /// root), when it has a snapshot: the job's working directory and the head of PYTHONPATH.
    std::string code;
    /// The code the job runs (milex-schedule --snapshot): shipped by milex-run to
    /// `<machine path>/code/<id>/` and run from there, whatever happened to the tree since.
    std::optional<Snapshot> snapshot;

    /// How many times the cluster itself runs the job again when it ends in one of `retry_on`
    /// (0: never); the attempts then number 1 … retries + 1.
    int retries = 0;
    /// Empty: default_retry_on().
    std::vector<RetryOn> retry_on;

    /// retry_on, or the default when it is empty.
    const std::vector<RetryOn>& retry_reasons() const { return retry_on.empty() ? default_retry_on() : retry_on; }
    bool retries_on(RetryOn reason) const;

    /// Whether the batch script calls the application (`script` with its arguments): always,
    /// unless the job's container has a `command` of its own.
    bool runs_application() const { return !container || container->command.empty(); }

    /// The job as written to a bundle file (`pre_commands` with an underscore, which the Python
    /// milex's renderer reads too).
    nlohmann::ordered_json to_json() const;
};

/// Why a job or bundle name is not usable (it becomes part of file names and of #SBATCH
/// lines), or an empty string when it is fine. `what` is "job" or "bundle".
std::string name_problem(const std::string& name, const std::string& what);

} // namespace milex::model
