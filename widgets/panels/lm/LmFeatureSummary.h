#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

// What the LM feature table shows and searches for one feature, taken from its FeatureCard once after a scan.
struct LmFeatureSummary {
    struct Example {
        QString text;   // the example's tokens as text
        int markStart;  // character range of the strongest token in `text`
        int markEnd;
    };
    int index = 0;
    double density = 0.0;
    std::int64_t activeTokens = 0;
    float maxActivation = 0.0f;
    QStringList topLogits; // token text, strongest first (empty when the hook has no direct path to the logits)
    std::vector<Example> examples;

    // True when `query` (matched as typed, case-sensitive, so " the" differs from "the") occurs in an example around
    // its strongest token, or in one of the top logit tokens.
    bool mentions(const QString& query) const;
};
