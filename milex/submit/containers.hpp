#pragma once
/// The container jobs of a bundle on a machine: what is checked before anything is submitted,
/// and what each image needs there. An image of this host's podman/docker is exported and
/// copied into the machine's container cache once (keyed by its image id), converted there to a
/// .sif once per id by a small job the real jobs wait for (apptainer, singularity), or loaded
/// into a remote podman/docker. `docker://…` images are pulled by the runtime itself.
#include <functional>
#include <string>
#include <vector>

#include "milex/image/local_images.hpp"
#include "milex/model/bundle.hpp"
#include "milex/model/machine.hpp"
#include "milex/render/container.hpp"
#include "milex/transport/transport.hpp"

namespace milex::submit {

struct ImagePlan {
    std::string image;    ///< as the bundle names it
    std::string id;       ///< this host's image id (64 hex digits) for a local image, else empty
    std::string archive;  ///< `<container_cache>/<id>.tar` on the machine
    std::string sif;      ///< `<container_cache>/<id>.sif` on the machine (apptainer, singularity)
    bool copy = false;     ///< export here and copy to `archive`: it is not in the cache yet
    bool convert = false;  ///< a conversion job makes `sif`: it is not there yet
    bool load = false;     ///< `podman load`/`docker load` of `archive` on a remote machine
    render::RuntimeImage runtime_image;  ///< what the jobs' runtime is given

    /// `milex-convert-<first 12 hex digits of the id>`.
    std::string conversion_job() const;
    /// Where the image comes from on the machine, for the user: "reusing the cached …".
    std::string summary(const model::Machine& machine, const std::string& engine) const;
};

struct ContainerPlan {
    std::vector<ImagePlan> images;  ///< each distinct image of the bundle's container jobs, once
    std::string engine;             ///< the local engine that exports images ("podman"), if any

    /// The plan of `image`; throws Error when the bundle had no such image.
    const ImagePlan& of(const std::string& image) const;
};

/// Checks the container jobs of `bundle` against `machine`, every problem thrown together
/// before anything is copied or submitted: no `container_runtime` on the machine, GPUs asked
/// where its runtime has none (`container_gpus`), an image the runtime cannot take, a local
/// image this host does not have, a bind source missing on the machine. Then works out what
/// each image needs there. `transport` is asked whether bind sources and cached files exist
/// (one shell call; nothing is written); without one (a dry run of a machine not reached) the
/// cache is taken as empty and binds are not checked. `local_images` may be null when neither
/// podman nor docker is installed here.
ContainerPlan plan_containers(const model::Bundle& bundle, const model::Machine& machine,
                              transport::Transport* transport, image::LocalImages* local_images);

/// Does what `containers` says must happen before submission: exports each image to copy into
/// `scratch_dir` on this host, copies it to the machine (Transport::copy_file) and loads it
/// into a remote podman/docker. `step` hears each action before it starts, for the user.
void prepare_images(const ContainerPlan& containers, const model::Machine& machine, transport::Transport& transport,
                    image::LocalImages* local_images, const std::string& scratch_dir,
                    const std::function<void(const std::string&)>& step);

} // namespace milex::submit
