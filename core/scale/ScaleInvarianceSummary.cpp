#include "scale/ScaleInvarianceSummary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace featurescope {

namespace {

std::string format(const char* pattern, double value)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

// 3 significant digits without exponent noise for everyday magnitudes.
std::string number(double value)
{
    if (!std::isfinite(value))
        return "n/a";
    const double a = std::abs(value);
    if (a != 0.0 && (a < 1e-3 || a >= 1e5))
        return format("%.2e", value);
    return format("%.3g", value);
}

std::string scaleText(double c) { return "c = " + format("%g", c); }

// "changes by at most 6e-08" / "stays exactly the same"
std::string changeText(double change)
{
    if (change == 0.0)
        return "stays exactly the same";
    return "changes by at most " + format("%.0e", change);
}

std::string percent(double fraction) { return format("%.1f %%", 100.0 * fraction); }

std::string count(int n)
{
    // Groups of three digits separated by spaces ("10 000"), built forwards.
    const std::string digits = std::to_string(n);
    std::string grouped;
    for (std::size_t k = 0; k < digits.size(); ++k) {
        if (k > 0 && digits[k - 1] != '-' && (digits.size() - k) % 3 == 0)
            grouped += ' ';
        grouped += digits[k];
    }
    return grouped;
}

// "For c from 0.1 to 10, scaling W by c multiplies ..." (`scaling` names what is scaled and how).
std::string geometrySentence(const ScaleInvarianceSummary& s, const std::string& scaling)
{
    return "For c from " + format("%g", s.minScale) + " to " + format("%g", s.maxScale) + ", scaling " + scaling +
           " multiplies features per dimension by c\u00b2 (slope " + format("%.2f", s.featuresPerDimensionSlope) +
           " measured; " + number(s.featuresPerDimensionAtOne) + " at c = 1) while every D_i " +
           changeText(s.maxDimensionalityChange) + " (mean D_i " + format("%.3f", s.meanDimensionalityAtOne) + ")";
}

} // namespace

ScaleInvarianceSummary summariseScaleInvariance(const ScaleInvarianceLab& lab,
                                                const std::vector<ScaleInvariancePoint>& points)
{
    ScaleInvarianceSummary s;
    s.kind = lab.kind();
    s.biasFree = lab.biasFree();
    s.points = int(points.size());
    s.samples = lab.samples();
    const ScaleInvariancePoint& one = lab.reference();
    s.featuresPerDimensionAtOne = one.featuresPerDimension;
    s.meanDimensionalityAtOne = one.meanDimensionality;
    s.accuracyAtOne = one.accuracy;
    s.meanMaxProbabilityAtOne = one.meanMaxProbability;
    s.lossAtOne = one.loss;
    if (points.empty()) {
        s.reading = "No scales were evaluated.";
        return s;
    }

    const auto lowest = std::min_element(points.begin(), points.end(),
                                         [](const auto& a, const auto& b) { return a.scale < b.scale; });
    const auto highest = std::max_element(points.begin(), points.end(),
                                          [](const auto& a, const auto& b) { return a.scale < b.scale; });
    s.minScale = lowest->scale;
    s.maxScale = highest->scale;

    // Least-squares slope of log(fpd) against log(c).
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int used = 0;
    for (const auto& p : points) {
        s.maxDimensionalityChange = std::max(s.maxDimensionalityChange, p.maxDimensionalityChange);
        if (one.featuresPerDimension > 0.0)
            s.maxRelativeC2Error = std::max(s.maxRelativeC2Error,
                std::abs(p.featuresPerDimension / (p.scale * p.scale * one.featuresPerDimension) - 1.0));
        if (p.featuresPerDimension > 0.0) {
            const double x = std::log(p.scale), y = std::log(p.featuresPerDimension);
            sx += x; sy += y; sxx += x * x; sxy += x * y;
            ++used;
        }
    }
    const double denominator = used * sxx - sx * sx;
    if (used >= 2 && denominator > 0.0)
        s.featuresPerDimensionSlope = (used * sxy - sx * sy) / denominator;

    if (!(s.maxScale > s.minScale)) {
        // One scale (or the same one repeated): there is nothing to compare.
        s.reading = "Only " + scaleText(s.minScale) + " was evaluated: features per dimension " +
                    number(lowest->featuresPerDimension) + ", mean D_i " +
                    format("%.3f", lowest->meanDimensionality) + ". Give several scales to see how they change.";
        return s;
    }

    std::string reading;
    switch (s.kind) {
    case ScaleInvarianceLab::Kind::Classifier: {
        s.maxPredictionsChanged = 0;
        s.maxOrderingsChanged = 0;
        s.maxAccuracyChange = 0.0;
        s.maxKl = 0.0;
        for (const auto& p : points) {
            s.maxPredictionsChanged = std::max(s.maxPredictionsChanged, p.predictionsChanged);
            s.maxOrderingsChanged = std::max(s.maxOrderingsChanged, p.orderingsChanged);
            if (std::isfinite(p.accuracy))
                s.maxAccuracyChange = std::max(s.maxAccuracyChange, std::abs(p.accuracy - one.accuracy));
            s.maxKl = std::max(s.maxKl, p.meanKlFromReference);
        }
        s.meanMaxProbabilityAtMin = lowest->meanMaxProbability;
        s.meanMaxProbabilityAtMax = highest->meanMaxProbability;
        reading = geometrySentence(s, "W1 (the first layer) by c");
        if (s.maxPredictionsChanged == 0) {
            reading += ", and all " + count(s.samples) + " predictions are unchanged";
            if (std::isfinite(s.accuracyAtOne))
                reading += " (accuracy " + percent(s.accuracyAtOne) + " at every c)";
        } else {
            reading += "; " + count(s.maxPredictionsChanged) + " of " + count(s.samples) +
                       " predictions change at worst";
            if (std::isfinite(s.accuracyAtOne))
                reading += " (accuracy " + percent(s.accuracyAtOne) + " at c = 1, off by at most " +
                           format("%.2f", 100.0 * s.maxAccuracyChange) + " points)";
        }
        reading += s.maxOrderingsChanged == 0
                       ? "; every logit ordering is identical. "
                       : "; the logit ordering differs for " + count(s.maxOrderingsChanged) + " inputs at worst" +
                             (s.biasFree ? " (near-ties within float rounding). " : ". ");
        reading += "The softmax is not invariant: c acts as an inverse temperature (mean max probability " +
                   format("%.2f", s.meanMaxProbabilityAtMin) + " at " + scaleText(s.minScale) + ", " +
                   format("%.2f", s.meanMaxProbabilityAtOne) + " at c = 1, " +
                   format("%.2f", s.meanMaxProbabilityAtMax) + " at " + scaleText(s.maxScale) +
                   "; mean KL from c = 1 up to " + number(s.maxKl) + " nats). ";
        reading += s.biasFree ? "Without biases, \u2016W\u2016\u00b2/m here is set by an arbitrary scale, not by "
                                "how many features the layer represents."
                              : "This classifier has biases, so its predictions need not be scale invariant.";
        break;
    }
    case ScaleInvarianceLab::Kind::TiedToy:
    case ScaleInvarianceLab::Kind::UntiedToy: {
        auto best = points.begin();
        s.lossLargerAwayFromOne = true;
        s.maxRelativeLossChange = 0.0;
        for (auto it = points.begin(); it != points.end(); ++it) {
            if (it->loss < best->loss)
                best = it;
            if (it->scale != 1.0 && !(it->loss > one.loss))
                s.lossLargerAwayFromOne = false;
            if (one.loss > 0.0)
                s.maxRelativeLossChange = std::max(s.maxRelativeLossChange, std::abs(it->loss / one.loss - 1.0));
        }
        s.bestScale = best->scale;
        s.bestLoss = best->loss;
        s.lossAtMin = lowest->loss;
        s.lossAtMax = highest->loss;
        if (s.kind == ScaleInvarianceLab::Kind::TiedToy) {
            reading = geometrySentence(s, "W by c") + ". But W is the encoder and the decoder at once: the loss is " +
                      number(s.lossAtOne) + " at c = 1 and " +
                      (s.lossLargerAwayFromOne ? std::string("larger at every other scale")
                                               : "lowest at " + scaleText(s.bestScale)) +
                      " (" + number(s.lossAtMin) + " at " + scaleText(s.minScale) + ", " + number(s.lossAtMax) +
                      " at " + scaleText(s.maxScale) + "), so in the tied model the scale is not free and " +
                      "\u2016W\u2016\u00b2/m = " + number(s.featuresPerDimensionAtOne) + " means something.";
        } else {
            auto bestEncoder = std::min_element(points.begin(), points.end(), [](const auto& a, const auto& b) {
                return a.lossEncoderOnly < b.lossEncoderOnly;
            });
            s.encoderOnlyBestScale = bestEncoder->scale;
            reading = geometrySentence(s, "the encoder by c (and the decoder by 1/c)") +
                      ". The loss stays at " + number(s.lossAtOne) + " (relative change " +
                      (s.maxRelativeLossChange == 0.0 ? std::string("0")
                                                      : format("%.0e", s.maxRelativeLossChange)) +
                      "): with untied weights the scale moves freely between encoder and decoder, so "
                      "\u2016W\u2016\u00b2/m is arbitrary again, as in a bias-free classifier. Scaling the encoder "
                      "alone does change the loss (lowest at " + scaleText(s.encoderOnlyBestScale) + ").";
        }
        break;
    }
    case ScaleInvarianceLab::Kind::Matrix:
        reading = geometrySentence(s, "the matrix by c") +
                  ". Whether this scale is free depends on the network around the matrix: with no biases, only "
                  "ReLUs and an argmax after it, it is; tied to its own transpose, it is not.";
        break;
    }
    s.reading = reading;
    return s;
}

std::string tiedToyContrast(const ScaleInvarianceLab& tiedLab)
{
    if (tiedLab.kind() != ScaleInvarianceLab::Kind::TiedToy)
        return {};
    const double one = tiedLab.reference().loss;
    const double half = tiedLab.evaluate(0.5).loss;
    const double twice = tiedLab.evaluate(2.0).loss;
    std::string values = "(";
    values += number(half) + " at c = 0.5, " + number(twice) + " at c = 2)";
    if (half > one && twice > one)
        return " In the tied toy model, by contrast, the loss is " + number(one) + " at c = 1 and larger on either "
               "side " + values + ", so there the scale is not free.";
    return " In the tied toy model the loss is " + number(one) + " at c = 1 " + values +
           ": the scale changes the loss, so there it is not free.";
}

} // namespace featurescope
