#pragma once
/// The machine config (`~/.milexconfig`): where milex keeps its files and how it reaches each
/// machine. The Python milex's files are read unchanged; the keys it did not have are additions.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "milex/model/slurm_options.hpp"
#include "milex/util/document.hpp"

namespace milex::model {

enum class TransportKind { automatic, libssh2, openssh };
/// The batch system of a machine: SLURM, Grid Engine (`sge`), or none (jobs run directly).
enum class SchedulerKind { slurm, sge, none };

/// "slurm", "sge", "none".
const char* scheduler_name(SchedulerKind kind);
/// The program that runs container jobs on a machine.
enum class ContainerRuntime { none, apptainer, singularity, podman, docker };

/// "apptainer", "podman", …; "" for none.
const char* runtime_name(ContainerRuntime runtime);

struct Machine {
    std::string name;
    /// Where milex keeps jobs/, slurm/, runs/ … on that machine. For a machine on this host `~`
    /// and `$VARS` are already expanded; for a remote one they are kept for the remote shell.
    std::string path;
    std::string env_command;
    std::string slurm_account;
    std::string hostname;  ///< an ssh alias
    std::string hosturl;
    std::string username;
    std::string key_path;
    std::optional<int> port;
    TransportKind transport = TransportKind::automatic;
    SchedulerKind scheduler = SchedulerKind::slurm;
    /// Grid Engine: the parallel environment that gives a job several slots on one host (`-pe
    /// <name> N` for cpus_per_task); unset: a job asking for more than one CPU is refused.
    std::string parallel_environment;
    /// Grid Engine: the complex a memory request sets (`-l h_vmem=…` per slot, or mem_free, …).
    std::string memory_complex = "h_vmem";
    std::string partition;
    /// When not empty, the only partitions and GPU types (the `type` of `gpu:type:N`) a launch from
    /// the dashboard may ask for on this machine; its form offers only these.
    std::vector<std::string> allowed_partitions;
    std::vector<std::string> allowed_gpu_types;
    std::vector<std::string> modules;
    SlurmOptions sbatch;  ///< defaults for every job on this machine
    /// Mail from the scheduler about every job on this machine (SLURM's --mail-user and
    /// --mail-type: "END,FAIL", "ALL", …; Grid Engine's -M and -m).
    std::string mail_user;
    std::string mail_type;
    /// A command run through /bin/sh on the user's own machine when a run on this machine has
    /// ended and milex sees it (`milex status --watch`, `milex-run --wait`): the run's summary as
    /// JSON on its stdin (a desktop notification, a chat webhook with curl).
    std::string notify_command;
    /// Whether SLURM keeps accounting (sacct) there; unset: milex asks sacct and finds out.
    std::optional<bool> accounting;
    /// The largest array index plus one (MaxArraySize); unset: read once from scontrol.
    std::optional<size_t> max_array_size;
    /// At most this many of the user's jobs queued at once (array tasks count one by one);
    /// unset: the site's MaxSubmitJobs, if sacctmgr tells it.
    std::optional<size_t> max_queued;
    ContainerRuntime container_runtime = ContainerRuntime::none;
    /// Where images are kept on the machine (exported archives, converted .sif files); `<path>/
    /// containers` unless the config says otherwise. Expanded like `path`.
    std::string container_cache;
    /// Extra words after `exec`/`run` for every container, e.g. podman's `--runtime runc`.
    std::vector<std::string> container_options;
    /// Whether the runtime can hand the node's GPUs to a container; unset: yes for apptainer and
    /// singularity (`--nv` needs only the driver), no for podman and docker (they need the NVIDIA
    /// Container Toolkit, which a machine says it has with `"container_gpus": true`).
    std::optional<bool> container_gpus;

    bool gpus_in_containers() const;

    bool remote() const { return !hostname.empty() || !hosturl.empty(); }
    /// The machine as resolved, for the run record and `--show`.
    nlohmann::ordered_json to_json() const;
};

struct Config {
    util::Document document;  ///< the file as written, for --set
    std::vector<Machine> machines;

    const Machine* find(const std::string& name) const;
    /// The machine called `name`; the error lists the known ones and suggests the closest.
    const Machine& get(const std::string& name) const;
    const Machine& local() const { return get("local"); }
    std::vector<std::string> names() const;
};

/// Every key a machine may have.
const std::vector<std::string>& machine_keys();
/// SLURM's --mail-type words ("BEGIN", "END", "FAIL", "ALL", …), which `mail_type` may list.
const std::vector<std::string>& mail_types();

/// Validates a parsed config and returns its machines. Every problem of the file is collected
/// and thrown together as one Error, each line prefixed with `file:line:`.
Config config_from_document(util::Document document);

/// `$MILEX_CONFIG`, else `~/.milexconfig`.
std::filesystem::path config_path();

/// Reads and validates the config file. A missing file is an error that says how to make one.
Config load_config(const std::filesystem::path& path);

/// When the config file at `path` can be read by other users and names SSH key files
/// (`key_path`): a warning that says so and how to fix it; nullopt otherwise.
std::optional<std::string> exposed_keys_warning(const Config& config, const std::filesystem::path& path);

/// The path as shown to users: `~/.milexconfig` rather than `/home/ada/.milexconfig`.
std::string display_path(const std::filesystem::path& path);

/// The starting config written when there is none: a `local` machine under ~/milex.
std::string example_config();

} // namespace milex::model
