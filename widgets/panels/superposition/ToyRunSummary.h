#pragma once

#include <QString>

namespace featurescope {
struct ToyTrainingResult;
}

// The one-line summary above the superposition views: step, loss, features per dimension (with a note when norms
// above 1 inflate it), the geometry found, and the selected feature's norm and dimensionality. `snapshot` >= 0 names
// the replayed snapshot, whose step and numbers are shown instead of the last step's.
class ToyRunSummary {
public:
    static QString text(const featurescope::ToyTrainingResult& result, int instance, int snapshot, int selectedFeature);
};
