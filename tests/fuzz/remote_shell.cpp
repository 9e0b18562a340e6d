// The remote shell's reply framing: what comes back from the machine after a command (its
// output, the marker and exit status, its stderr, the marker). The input is the reply in pieces
// separated by 0xff bytes, "@M@" standing for the marker; a piece starting with 'E' goes to
// stderr. The first byte chooses buffered or streamed replies.
#include "fuzz.hpp"
#include "milex/transport/remote_shell.hpp"
#include "milex/transport/transport.hpp"

#include <regex>

namespace {

class ReplayChannel : public milex::transport::Channel {
public:
    explicit ReplayChannel(std::vector<std::string> pieces) : m_pieces(std::move(pieces)) {}
    Io write(std::string_view data, milex::transport::Deadline) override {
        static const std::regex k_marker("__milex_[0-9a-f]{32}_");
        std::match_results<std::string_view::const_iterator> m;
        if (std::regex_search(data.begin(), data.end(), m, k_marker)) m_marker = m.str();
        return Io::done;
    }
    void close_input() override {}
    Io read(std::string& out, std::string& err, milex::transport::Deadline) override {
        if (m_next == m_pieces.size()) return Io::closed;
        std::string piece = m_pieces[m_next++];
        for (size_t at; (at = piece.find("@M@")) != std::string::npos;) piece.replace(at, 3, m_marker);
        if (!piece.empty() && piece[0] == 'E') err += piece.substr(1);
        else out += piece;
        return piece.empty() ? Io::timeout : Io::done;
    }
    int exit_status(milex::transport::Deadline) override { return 0; }

private:
    std::vector<std::string> m_pieces;
    size_t m_next = 0;
    std::string m_marker;
};

} // namespace

MILEX_FUZZ_TARGET {
    if (size == 0) return 0;
    const auto replies = data[0] & 1 ? milex::transport::Replies::streamed : milex::transport::Replies::buffered;
    std::vector<std::string> pieces(1);
    for (size_t i = 1; i < size; ++i) {
        if (data[i] == 0xff) pieces.emplace_back();
        else pieces.back() += static_cast<char>(data[i]);
    }
    milex::transport::RemoteShell shell([&] { return std::make_unique<ReplayChannel>(pieces); }, "fuzz", {}, replies);
    try {
        // Two commands on one shell: the second reads whatever the first left behind.
        for (int i = 0; i < 2; ++i) (void)shell.run("true", std::chrono::seconds(1));
    } catch (const milex::transport::ConnectionLost&) {
    } catch (const milex::Error&) {
    }
    return 0;
}
