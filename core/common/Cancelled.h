#pragma once

#include <stdexcept>

namespace featurescope {

// The one way long work in featurescope says "stopped because the user asked": thrown by core loaders and
// experiments when their ProgressReporter was cancelled, caught by whoever started the work. Whatever was being
// built is discarded; nothing half-done is left behind.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

} // namespace featurescope
