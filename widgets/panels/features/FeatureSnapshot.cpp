#include "FeatureSnapshot.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>
#include <filesystem>

using featurescope::SaeExperimentConfig;

namespace {
QString tr(const char* text) { return QCoreApplication::translate("FeatureSnapshot", text); }
} // namespace

int FeatureSnapshot::representativeFeature() const
{
    if (latentDim() == 0)
        return -1;
    int best = 0;
    double bestScore = -1.0;
    for (int j = 0; j < latentDim(); ++j) {
        const double density = densities[std::size_t(j)];
        if (density <= 0.0)
            continue;
        double quality = 1.0;
        if (hasGroundTruth())
            quality = std::max(0.0f, bestTrueCosine[std::size_t(j)]);
        else if (hasLabels())
            quality = std::max(0.0, purities[std::size_t(j)]);
        const double score = std::pow(quality, 8.0) * std::sqrt(std::min(density, 0.2));
        if (score > bestScore) {
            bestScore = score;
            best = j;
        }
    }
    return best;
}

QString FeatureSnapshot::runCaption(const SaeExperimentConfig& c, const FeatureSnapshot* snapshot)
{
    QString source;
    switch (c.source) {
    case SaeExperimentConfig::Source::Synthetic:
        source = tr("synthetic (F = %1, d = %2, %3 active)").arg(c.syntheticFeatures).arg(c.syntheticDimension).arg(c.syntheticMeanActive);
        break;
    case SaeExperimentConfig::Source::Toy:
        source = tr("toy model (n = %1, m = %2, p = %3, %4 steps)").arg(c.toyFeatures).arg(c.toyHidden).arg(c.toyProbability).arg(c.toySteps);
        break;
    case SaeExperimentConfig::Source::AbsorptionToy:
        source = tr("absorption toy (4 features in d = 50, feature 1 only with feature 0)");
        break;
    case SaeExperimentConfig::Source::FashionMnist:
        source = tr("Fashion-MNIST MLP 784-128-10 hidden layer (%1 epochs%2)")
                     .arg(c.mlpEpochs)
                     .arg(c.randomized ? tr(", weights shuffled") : QString());
        break;
    case SaeExperimentConfig::Source::File:
        source = c.imported ? QStringLiteral("%1:%2").arg(QString::fromStdString(std::filesystem::path(c.imported->path).filename().string()),
                                                         QString::fromStdString(c.imported->arrayName))
                            : tr("imported file");
        break;
    }
    const auto sae = c.saeConfig();
    const QString sparsity = sae.selectsTopK() ? tr("k = %1").arg(sae.k) : tr("λ = %1").arg(sae.l1, 0, 'g', 3);
    QString line2;
    if (snapshot && !snapshot->origin.isEmpty())
        line2 = tr("SAE from %1, d = %2, d_sae = %3").arg(snapshot->origin).arg(sae.inputDim).arg(sae.latentDim);
    else
        line2 = tr("SAE %1, d = %2, d_sae = %3, %4, %5 steps, batch %6, lr %7, seed %8")
                    .arg(QString::fromStdString(featurescope::saeVariantName(sae.variant)))
                    .arg(sae.inputDim)
                    .arg(sae.latentDim)
                    .arg(sparsity)
                    .arg(snapshot ? snapshot->step : c.training.steps)
                    .arg(c.training.batch)
                    .arg(c.training.learningRate, 0, 'g', 3)
                    .arg(c.training.seed);
    return tr("Source: %1\n%2").arg(source, line2);
}
