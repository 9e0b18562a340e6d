#pragma once
/// The container runtime's command for a job: `apptainer exec …`, `singularity exec …`,
/// `podman run --rm …` or `docker run --rm …`, as bash text for the batch script, with the same
/// byte-exact quoting as the bare application call.
#include <string>
#include <vector>

#include "milex/model/job.hpp"
#include "milex/model/machine.hpp"

namespace milex::render {

/// The image as the machine's runtime is given it.
struct RuntimeImage {
    std::string reference;  ///< an image reference, or a file on the machine
    /// A file on the machine (a .sif): a leading `~`/`$VAR` expands and a relative path is
    /// under `$MILEX`, as for bind sources (util::shell_path_word).
    bool path = false;
    std::string note;  ///< shown in the script's comment: where the image came from
};

/// The image of `container` on `machine` when nothing has to be prepared for it: a pulled
/// reference (`docker://` is left out for docker, which does not take it), a .sif file, or an
/// image of podman/docker used as it is named. Throws Error for what the runtime cannot take:
/// a local image on apptainer/singularity (it is converted first, see submit/containers.hpp), a
/// .sif or a `library://` image on podman/docker.
RuntimeImage direct_image(const model::Container& container, const model::Machine& machine);

/// The runtime's command running `job` in its container on `machine`, one option a line joined
/// with ` \` continuations: the machine's `container_options`, GPU flags when
/// model::wants_gpus says so (apptainer/singularity `--nv`, podman `--device
/// nvidia.com/gpu=all`, docker `--gpus all`), binds, environment, working directory,
/// entrypoint, image, then the command (the container's own, else the application call).
///
/// Every word is single-quoted (util::shell_quote) except bind sources and image files, whose
/// leading `~`/`$VAR` expands on the node and whose relative paths are under `$MILEX`
/// (util::shell_path_word). Apptainer and singularity get the environment as
/// `APPTAINERENV_NAME=value` (`SINGULARITYENV_…`) through env(1): their `--env` flag splits
/// values at commas and refuses quotes, so it could not carry every value byte for byte.
std::string container_call(const model::Job& job, const model::Machine& machine, const RuntimeImage& image);

/// `apptainer build` (or singularity's) of a docker archive into a .sif: the command of the
/// conversion job, writing to `"$milex_sif.part.$$"` (the script renames it when it is whole).
std::string conversion_call(const model::Machine& machine, const std::string& archive);

/// Groups of words joined into one bash command: the first group, then each further one on its
/// own line after ` \`, indented by two spaces. Words are used as they are (already quoted).
std::string continued_lines(const std::vector<std::vector<std::string>>& groups);

} // namespace milex::render
