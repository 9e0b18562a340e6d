#pragma once
/// SSH key files and host keys as a user sees them: a private key's type and whether it has a
/// passphrase, SHA256 fingerprints as ssh-keygen prints them, known_hosts lines.
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace milex::transport {

struct KeyFile {
    /// "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", …; "" when the file does not say
    /// (PKCS#8 PEM).
    std::string type;
    bool encrypted = false;
    bool pem = false;  ///< PEM rather than OpenSSH's own format
};

/// Reads the private key at `path`. The unexpected value is the reason, e.g. "Permission
/// denied" or "not a private key".
tl::expected<KeyFile, std::string> read_key_file(const std::string& path);

/// The key type named in an SSH public key blob ("ssh-ed25519"), "" when malformed.
std::string key_blob_type(std::string_view blob);

/// "SHA256:" and the unpadded base64 of the blob's SHA-256, as `ssh-keygen -l` prints it.
std::string fingerprint(std::string_view blob);

/// The known_hosts line for `name` (a host, or `[host]:port`) holding the key `blob`.
std::string known_hosts_line(const std::string& name, std::string_view blob);

/// Appends `line` to the known_hosts file `path` (made, with its directory, when missing).
tl::expected<void, std::string> append_known_host(const std::string& path, const std::string& line);

} // namespace milex::transport
