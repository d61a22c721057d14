#pragma once

#include <vector>

namespace featurescope {

// Whether a training run stopped while its loss was still dropping: the mean loss of the last tenth of the steps
// (at least 20) against the tenth before it. A run on a plateau reads near 0; one still descending reads above the
// threshold (1 % per tenth of the run by default), where more steps would lower the loss. Per-batch noise averages
// out over a window; NaN or infinite losses (a diverged run) never count as falling.
struct LossTrend {
    double relativeDrop = 0; // (previous window - last window) / previous window; positive = falling
    bool stillFalling = false;
};

LossTrend measureLossTrend(const std::vector<float>& history, double threshold = 0.01);

} // namespace featurescope
