#pragma once
/// A tar archive (POSIX ustar) built in memory: many small files sent to another machine as
/// one stream, unpacked there by `tar -x`.
#include <string>
#include <string_view>

namespace milex::util {

/// Where the archive's end-of-archive blocks start (its entries walked by their sizes), so that
/// archives can be joined into one. Throws Error when it is not a tar archive.
size_t tar_end(std::string_view archive);

class TarWriter {
public:
    /// Adds a regular file. `name` is relative, at most 255 bytes (split at a '/' into
    /// ustar's prefix and name when longer than 100). Throws Error when it does not fit.
    void add_file(std::string_view name, std::string_view content, unsigned mode);
    /// The archive with its two closing zero blocks; the writer is empty afterwards.
    std::string finish();

private:
    std::string m_data;
};

} // namespace milex::util
