// The two kinds of failure every caller must tell apart: input that is bad
// and must never be retried, and a condition that may pass (database down,
// deadline). Library exceptions are translated into these at the seam.
#pragma once

#include <stdexcept>
#include <string>

namespace rua {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// This input is bad; retrying it will fail the same way.
class BadInput : public Error {
public:
    using Error::Error;
};

// A configured bound was exceeded (size, ratio, depth, members, records).
class LimitExceeded : public BadInput {
public:
    using BadInput::BadInput;
};

// The report is for a domain the receiving account does not own.
class ForeignDomain : public BadInput {
public:
    using BadInput::BadInput;
};

// The database refused a value of a report that parsed (a NUL byte, a
// number past bigint): the message is kept in quarantine for a fix.
class DatabaseRefused : public BadInput {
public:
    using BadInput::BadInput;
};

// Nothing wrong with the input; try again later (the MTA answers 4xx).
class TryLater : public Error {
public:
    using Error::Error;
};

// Configuration or usage error detected at start-up.
class ConfigError : public Error {
public:
    using Error::Error;
};

} // namespace rua
