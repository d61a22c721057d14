#pragma once

#include <stdexcept>

namespace featurescope {

// Thrown by file loaders when their ProgressReporter was cancelled: the load stopped and left nothing behind.
class LoadCancelled : public std::runtime_error {
public:
    LoadCancelled() : std::runtime_error("loading cancelled") {}
};

} // namespace featurescope
