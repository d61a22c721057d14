#pragma once

#include "toy/ToyModelConfig.h"
#include "toy/TrainingConfig.h"

#include <QString>
#include <QVector>

// A named starting point from "Toy Models of Superposition": the parameters of one of the paper's experiments.
struct ToyPreset {
    QString name;
    QString description;
    int features = 5;
    int hidden = 2;
    featurescope::ToyModelKind kind = featurescope::ToyModelKind::ReluOutput;
    bool sweep = true;           // instances over sparsities (else one shared probability)
    int instances = 8;
    double probabilityMin = 0.05;
    double probability = 0.05;   // used when !sweep
    double importanceDecay = 0.9;
    int steps = 10000;
    double learningRate = 1e-3;

    static QVector<ToyPreset> all(); // the first is the default session
};
