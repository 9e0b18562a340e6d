#include "milex/util/file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include <fmt/format.h>

namespace milex::util {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

/// "cannot write PATH: REASON"; when the disk is full, how much room is left there, since the
/// user has to free some before the write can succeed.
std::string write_failure(const fs::path& path, int err) {
    std::string message = fmt::format("cannot write {}: {}", path.string(), errno_text(err));
    struct statvfs fs_info {};
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if ((err == ENOSPC || err == EDQUOT) && ::statvfs(dir.c_str(), &fs_info) == 0)
        message += fmt::format(" ({} bytes free on the file system of {}); free some space and run the command again",
                               static_cast<unsigned long long>(fs_info.f_bavail) * fs_info.f_frsize, dir.string());
    return message;
}

/// A name beside `path` that no other writer picks: pid plus random bits.
fs::path temporary_beside(const fs::path& path) {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    return path.parent_path() / fmt::format(".{}.tmp.{}.{:x}", path.filename().string(), ::getpid(), random());
}

/// Writes all of `content`; the error is the errno of the write that failed.
tl::expected<void, int> write_all(int fd, std::string_view content) {
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return tl::unexpected(errno);
        }
        done += static_cast<size_t>(n);
    }
    return {};
}

/// Writes `content` to a fresh temporary file beside `path` and returns its name.
tl::expected<fs::path, std::string> write_temporary(const fs::path& path, std::string_view content, fs::perms mode) {
    fs::path tmp = temporary_beside(path);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0) return tl::unexpected(write_failure(path, errno));
    auto written = write_all(fd, content);
    bool synced = written && ::fsync(fd) == 0;
    int sync_errno = errno;
    ::close(fd);
    if (!written || !synced) {
        ::unlink(tmp.c_str());
        return tl::unexpected(write_failure(path, written ? sync_errno : written.error()));
    }
    return tmp;
}

} // namespace

tl::expected<std::string, std::string> read_file(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return tl::unexpected(fmt::format("cannot read {}: {}", path.string(), errno_text(errno)));
    // Read straight into the string, sized once from fstat (a run record is most of a megabyte);
    // a file that grows meanwhile is read to its end all the same.
    std::string content;
    struct stat info {};
    size_t capacity = ::fstat(fd, &info) == 0 && info.st_size > 0 ? static_cast<size_t>(info.st_size) + 1 : 65536;
    size_t used = 0;
    content.resize(capacity);
    for (;;) {
        if (used == content.size()) content.resize(content.size() * 2);
        ssize_t n = ::read(fd, content.data() + used, content.size() - used);
        if (n > 0) {
            used += static_cast<size_t>(n);
        } else if (n == 0) {
            content.resize(used);
            break;
        } else if (errno != EINTR) {
            int err = errno;
            ::close(fd);
            return tl::unexpected(fmt::format("cannot read {}: {}", path.string(), errno_text(err)));
        }
    }
    ::close(fd);
    return content;
}

tl::expected<void, std::string> copy_file_atomic(const fs::path& from, const fs::path& to, fs::perms mode) {
    auto failed = [&](int err) {
        return tl::unexpected(fmt::format("cannot copy {} to {}: {}", from.string(), to.string(), errno_text(err)));
    };
    const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return failed(errno);
    const fs::path tmp = temporary_beside(to);
    const int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
    if (out < 0) {
        const int err = errno;
        ::close(in);
        return failed(err);
    }
    std::vector<char> buffer(1 << 20);
    int err = 0;
    for (;;) {
        const ssize_t n = ::read(in, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) err = errno;
        if (n <= 0) break;
        if (auto written = write_all(out, std::string_view(buffer.data(), static_cast<size_t>(n))); !written) {
            err = written.error();
            break;
        }
    }
    if (!err && ::fsync(out) != 0) err = errno;
    ::close(in);
    ::close(out);
    if (!err && ::chmod(tmp.c_str(), static_cast<mode_t>(mode)) != 0) err = errno;
    if (!err && ::rename(tmp.c_str(), to.c_str()) != 0) err = errno;
    if (err) {
        ::unlink(tmp.c_str());
        return failed(err);
    }
    return {};
}

tl::expected<void, std::string> write_file_atomic(const fs::path& path, std::string_view content, fs::perms mode) {
    struct stat existing {};
    if (::stat(path.c_str(), &existing) == 0) mode = static_cast<fs::perms>(existing.st_mode & 07777);
    auto tmp = write_temporary(path, content, mode);
    if (!tmp) return tl::unexpected(tmp.error());
    // open(2) applied the umask; an existing file's mode is restored exactly.
    ::chmod(tmp->c_str(), static_cast<mode_t>(mode));
    if (::rename(tmp->c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp->c_str());
        return tl::unexpected(write_failure(path, err));
    }
    return {};
}

tl::expected<fs::path, std::string> create_file_exclusive(const std::function<fs::path(int)>& candidate, int attempts,
                                                          std::string_view content, fs::perms mode) {
    const fs::path first = candidate(0);
    auto tmp = write_temporary(first, content, mode);
    if (!tmp) return tl::unexpected(tmp.error());
    ::chmod(tmp->c_str(), static_cast<mode_t>(mode));
    for (int attempt = 0; attempt < attempts; ++attempt) {
        const fs::path path = attempt == 0 ? first : candidate(attempt);
        if (::link(tmp->c_str(), path.c_str()) == 0) {
            ::unlink(tmp->c_str());
            return path;
        }
        if (errno != EEXIST) {
            int err = errno;
            ::unlink(tmp->c_str());
            return tl::unexpected(write_failure(path, err));
        }
    }
    ::unlink(tmp->c_str());
    return tl::unexpected(fmt::format("cannot write {}: {} names beside it are all taken", first.string(), attempts));
}

namespace {
/// The size of the file `fd` without a last line that lacks its newline (a line torn by a crash).
off_t whole_lines_size(int fd, off_t size) {
    char chunk[4096];
    off_t end = size;
    while (end > 0) {
        const off_t start = end > off_t(sizeof chunk) ? end - off_t(sizeof chunk) : 0;
        const ssize_t n = ::pread(fd, chunk, static_cast<size_t>(end - start), start);
        if (n != end - start) return size;  // unreadable: leave it as it is
        for (ssize_t i = n - 1; i >= 0; --i)
            if (chunk[i] == '\n') return start + i + 1;
        end = start;
    }
    return 0;
}
} // namespace

tl::expected<void, std::string> append_durably(const fs::path& path, std::string_view text) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return tl::unexpected(write_failure(path, errno));
    // A line torn by a crash during an earlier append is dropped first (what it began to note
    // never happened), so that it never swallows this one; and a write that fails half-way (a
    // full disk) is taken back whole.
    struct stat before {};
    off_t keep = 0;
    if (::fstat(fd, &before) == 0 && before.st_size > 0) {
        keep = whole_lines_size(fd, before.st_size);
        if (keep != before.st_size && ::ftruncate(fd, keep) != 0) keep = before.st_size;
    }
    auto written = write_all(fd, text);
    const bool synced = written && ::fsync(fd) == 0;
    const int err = written ? errno : written.error();
    if (!written && ::ftruncate(fd, keep) == 0) ::fsync(fd);
    ::close(fd);
    if (!written || !synced) return tl::unexpected(write_failure(path, err));
    return {};
}

tl::expected<FileLock, std::string> FileLock::acquire(const fs::path& lock_path) {
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return tl::unexpected(fmt::format("cannot lock {}: {}", lock_path.string(), errno_text(errno)));
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int err = errno;
            ::close(fd);
            return tl::unexpected(fmt::format("cannot lock {}: {}", lock_path.string(), errno_text(err)));
        }
    }
    return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = other.m_fd;
        other.m_fd = -1;
    }
    return *this;
}

FileLock::~FileLock() {
    if (m_fd >= 0) ::close(m_fd);  // closing releases the flock
}

tl::expected<void, std::string> make_directories(const fs::path& path) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) {
        return tl::unexpected(fmt::format("cannot create directory {}: {}", path.string(), ec.message()));
    }
    if (!fs::is_directory(path, ec))
        return tl::unexpected(fmt::format("cannot create directory {}: a file is in the way", path.string()));
    return {};
}

} // namespace milex::util
