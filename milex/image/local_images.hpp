#pragma once
/// The container images of this host: podman's or docker's store, asked through their
/// commands. Behind an interface so that the submission code is tested without either.
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace milex::image {

struct ImageRow {
    std::string name;  ///< repository:tag
    std::string id;    ///< short id, as the engine prints it
    std::string created;
    std::string size;
};

class LocalImages {
public:
    virtual ~LocalImages() = default;
    /// "podman" or "docker", for messages.
    virtual std::string engine() const = 0;
    /// The image's id (64 hex digits, without "sha256:"), or nullopt when this host has no such
    /// image. Throws Error when the engine cannot be run.
    virtual std::optional<std::string> id(const std::string& reference) = 0;
    /// Writes the image as a docker archive (what `apptainer build docker-archive://` and
    /// `podman load` read) to `path`. Throws Error with the engine's reason.
    virtual void save(const std::string& reference, const std::string& path) = 0;
    /// The images that carry `label`, newest first.
    virtual std::vector<ImageRow> list(const std::string& label) = 0;
};

/// podman or docker on this host, through util::run_process.
class EngineImages : public LocalImages {
public:
    explicit EngineImages(std::string program) : m_program(std::move(program)) {}
    std::string engine() const override { return m_program; }
    std::optional<std::string> id(const std::string& reference) override;
    void save(const std::string& reference, const std::string& path) override;
    std::vector<ImageRow> list(const std::string& label) override;

private:
    std::string m_program;
};

/// The engine to ask: `preferred` ("podman" or "docker") when it is installed, else podman,
/// else docker; nullopt when neither is on PATH.
std::optional<std::string> find_engine(const std::string& preferred = "");

/// The label milex's Dockerfile template puts on the images built from it.
inline constexpr const char* k_template_label = "milex.template";

} // namespace milex::image
