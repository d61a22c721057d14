#pragma once

#include <stdexcept>
#include <string>

namespace featurescope {

// Bad parameters or a bad input file: the message is one line meant for the user (the CLI exits with status 2).
class InputError : public std::runtime_error {
public:
    explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

} // namespace featurescope
