#pragma once
/// A job's container: the image it runs in and how (binds, environment, working directory,
/// GPUs), in the words of the compose specification so that a researcher's compose or
/// devcontainer settings carry over. Like the rest of a job it names no user, host or machine
/// path: bind sources are relative to `$MILEX` or start with a variable the node expands.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "milex/model/slurm_options.hpp"
#include "milex/util/document.hpp"

namespace milex::model {

/// One bind, compose's short form `SOURCE:TARGET[:ro|rw]`.
struct Volume {
    /// As written: absolute, relative (to `$MILEX` on the machine), or starting with `~`,
    /// `$NAME` or `${NAME}`, which the node expands when the job runs.
    std::string source;
    std::string target;  ///< an absolute path inside the container
    bool read_only = false;

    /// `SOURCE:TARGET` or `SOURCE:TARGET:ro`, as written back to the bundle.
    std::string spec() const;
    bool operator==(const Volume&) const = default;
};

struct Container {
    std::string image;
    std::vector<std::string> entrypoint;  ///< replaces the image's entrypoint when set
    /// The command run in the container; empty means the application call milex renders from
    /// `script` and `script_args`.
    std::vector<std::string> command;
    std::vector<std::pair<std::string, std::string>> environment;  ///< in the order written
    std::vector<Volume> volumes;
    std::string working_dir;  ///< empty: the runtime's default
    /// Whether the container gets the node's GPUs; unset means "when the job's SLURM request
    /// asks for GPUs" (see wants_gpus).
    std::optional<bool> gpus;

    nlohmann::ordered_json to_json() const;
    /// Sets (or replaces, keeping its place) one variable.
    void set_environment(const std::string& name, const std::string& value);
};

/// How an image reaches the machine.
enum class ImageKind {
    pulled,  ///< `docker://…`, `library://…`, `oras://…`, `shub://…`: the runtime fetches it
    file,    ///< an Apptainer/Singularity image file, `….sif`
    local,   ///< an image of this host's podman or docker (`localhost/train:1`, `train:latest`)
};
ImageKind image_kind(const std::string& image);

/// Receives one problem of a container section: the JSON pointer of the key below the section
/// ("" for the section itself, "/volumes/1") and a message starting with the key's name.
using ProblemSink = std::function<void(const std::string& pointer, const std::string& message)>;

/// Reads a container section (from a bundle or a `--container` file). Every problem goes to
/// `problem`; what could be read is returned.
Container container_from_json(const nlohmann::ordered_json& value, const ProblemSink& problem);

/// Reads a container file (`--container train.yaml`: the section's keys at the top level).
/// Every problem is thrown together as one Error, each line `file:line: …`.
Container container_from_document(const util::Document& document);

/// The keys a container section may have.
const std::vector<std::string>& container_keys();

/// `SOURCE:TARGET[:ro|rw]`; the error reads after the option or key that gave it:
/// `"data" must be SOURCE:TARGET or SOURCE:TARGET:ro (e.g. "data:/data:ro")`.
tl::expected<Volume, std::string> parse_volume(const std::string& spec);

/// `NAME=value` (the value may hold anything, '=' too); the error reads like parse_volume's.
tl::expected<std::pair<std::string, std::string>, std::string> parse_assignment(const std::string& text);

/// Whether a SLURM request asks for GPUs: a `gres` of gpu with a count other than 0, or any of
/// `gpus`, `gpus_per_node`, `gpus_per_task`.
bool slurm_asks_gpus(const SlurmOptions& options);

/// Whether the container gets GPUs: its `gpus` when set, else whether `slurm` (the job's
/// request over the machine's defaults) asks for them.
bool wants_gpus(const Container& container, const SlurmOptions& slurm);

} // namespace milex::model
