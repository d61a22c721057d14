#pragma once

#include "toy/ToyModelConfig.h"
#include "toy/TrainingConfig.h"

#include <QString>

// The two-line caption under an exported toy-model figure: the model (kind, n, m, instances, feature probability,
// importance) and its training (optimizer, steps and how many were done, batch, lr, seed, restarts), with the
// instance a one-instance figure shows and the replayed snapshot's step when the weights are not the last ones.
class ToyFigureCaption {
public:
    struct Shown {
        int stepsDone = -1;        // -1: no trained result (the controls' settings are described)
        QString instanceTitle;     // for one-instance figures (WᵀW, neurons); empty for the others
        int snapshotStep = -1;     // >= 0 while replaying a snapshot
    };
    static QString text(const featurescope::ToyModelConfig& config, const featurescope::TrainingConfig& training,
                        const QString& figure, const Shown& shown);
    static QString kindLabel(featurescope::ToyModelKind kind);
};
