#pragma once
/// How a transport asks the person in front of milex for a secret (a key's passphrase, a
/// keyboard-interactive answer such as an MFA code). The transports never touch a terminal:
/// the front end supplies the prompt (the command line one that reads /dev/tty); a front end
/// with nobody to ask (the dashboard's server once it runs) supplies none, and a connection
/// that needs an answer then fails with a clear error instead of hanging.
#include <functional>
#include <optional>
#include <string>

namespace milex::transport {

/// `instruction` (may be empty) is the server's explanation, `prompt` the question; the answer
/// is not echoed. nullopt: nobody can answer.
using Prompt = std::function<std::optional<std::string>(const std::string& instruction, const std::string& prompt)>;

/// Sets the prompt for every connection made from now on; an empty function means nobody to ask
/// (the default).
void set_prompt(Prompt prompt);

/// Asks through the current prompt; nullopt when there is none or it could not answer.
std::optional<std::string> ask(const std::string& instruction, const std::string& prompt);

/// Whether a prompt is set (someone may answer).
bool can_ask();

} // namespace milex::transport
