#pragma once

#include <QString>
#include <QStringList>

namespace featurescope {
struct ToyTrainingResult;
}

// The one-line summary above the superposition views: step, loss, features per dimension (with a note when norms
// above 1 inflate it), the geometry found, and the selected feature's norm and dimensionality. `snapshot` >= 0 names
// the replayed snapshot, whose step and numbers are shown instead of the last step's.
class ToyRunSummary {
public:
    static QString text(const featurescope::ToyTrainingResult& result, int instance, int snapshot, int selectedFeature);
    // One title per instance, by its sparsity: "1−S = 1 (dense)", "1−S = 0.0158".
    static QStringList instanceTitles(const featurescope::ToyTrainingResult& result);
    // When training stopped while some instances' loss was still dropping (featurescope::measureLossTrend): which,
    // by how much, and that more steps would help. Empty when every loss has levelled off.
    static QString lossStillFallingNote(const featurescope::ToyTrainingResult& result);
};
