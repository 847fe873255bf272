// Reading an input file (or standard input) whole, with a bound, for parse
// and import. Never interprets the bytes.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace ruactl {

// The file could not be read; what() is the system's reason (strerror).
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Reads `path` ("-": standard input). Stops after max_bytes + 1 bytes so the
// caller's size check still sees that the input is too large. Throws
// InputError.
std::string read_input(const std::string& path, std::size_t max_bytes);

} // namespace ruactl
