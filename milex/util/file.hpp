#pragma once
/// Files written so that a reader or a crash never sees half of them.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace milex::util {

namespace fs = std::filesystem;

/// The whole content of `path`; the error names the file and the reason.
tl::expected<std::string, std::string> read_file(const fs::path& path);

/// Writes `content` to a temporary file beside `path`, flushes it to disk and renames it over
/// `path`: readers see the old file or the new one, never a mix. `mode` applies to a new file;
/// an existing file keeps its permissions.
tl::expected<void, std::string> write_file_atomic(const fs::path& path, std::string_view content,
                                                  fs::perms mode = fs::perms(0644));

/// Copies the file `from` to `to` the way write_file_atomic writes: through a temporary file
/// beside `to`, flushed and renamed, so that `to` is whole or absent. Streams: a file of many
/// gigabytes is never held in memory.
tl::expected<void, std::string> copy_file_atomic(const fs::path& from, const fs::path& to,
                                                 fs::perms mode = fs::perms(0644));

/// Like write_file_atomic, but never replaces a file: the content goes to the first of
/// `candidate(0)`, `candidate(1)`, … (at most `attempts`) that does not exist yet, and that path
/// is returned. Each name is claimed with link(2), so of two writers racing for one name exactly
/// one wins; the content is written and flushed once, however many names are tried.
tl::expected<fs::path, std::string> create_file_exclusive(const std::function<fs::path(int)>& candidate, int attempts,
                                                          std::string_view content, fs::perms mode = fs::perms(0644));

/// Appends `text` (whole lines) to `path` (made when missing) and flushes it to disk: for
/// journals, where each line must survive a crash right after this returns. A last line torn by
/// an earlier crash is dropped first, and a write that fails half-way (disk full) is undone, so
/// the file only ever grows by whole lines.
tl::expected<void, std::string> append_durably(const fs::path& path, std::string_view text);

/// An exclusive flock(2) on a lock file, held while the object lives. Waits for other holders.
class FileLock {
public:
    static tl::expected<FileLock, std::string> acquire(const fs::path& lock_path);
    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&& other) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

private:
    explicit FileLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

/// mkdir -p; the error names the first directory that could not be made and why.
tl::expected<void, std::string> make_directories(const fs::path& path);

} // namespace milex::util
