#include "ToyRunSummary.h"

#include "geometry/FeatureGeometry.h"
#include "geometry/FeatureMeasures.h"
#include "toy/LossTrend.h"
#include "toy/ToyTrainingResult.h"

#include <QCoreApplication>

#include <algorithm>

namespace {
QString tr(const char* text) { return QCoreApplication::translate("ToyRunSummary", text); }
} // namespace

QString ToyRunSummary::text(const featurescope::ToyTrainingResult& result, int instance, int snapshot,
                           int selectedFeature)
{
    const int i = std::clamp(instance, 0, result.model.instanceCount() - 1);
    // While replaying, the numbers are those of the snapshot on screen, not of the last step.
    const bool replaying = snapshot >= 0 && std::size_t(snapshot) < result.snapshots.size();
    const auto& shown = replaying ? result.snapshots[std::size_t(snapshot)] : featurescope::ToySnapshot{};
    if (replaying && std::size_t(i) >= shown.instances.size())
        return {};
    const auto& W = replaying ? shown.instances[std::size_t(i)].W : result.model.instance(i).W;
    const bool analysed = !replaying && result.isAnalysed();
    const auto measures = analysed ? result.measures[std::size_t(i)] : featurescope::computeFeatureMeasures(W);
    const auto geometry = analysed ? result.geometry[std::size_t(i)] : featurescope::findFeatureGeometry(W);
    const QString kinds = QString::fromStdString(featurescope::summariseGeometry(geometry, ", ", false));
    const auto& history = result.lossHistory[std::size_t(i)];
    const std::size_t lossIndex = replaying ? std::size_t(std::max(shown.step, 1) - 1) : history.size() - 1;
    const double loss = history.empty() ? 0.0 : history[std::min(lossIndex, history.size() - 1)];
    // ‖W‖²_F / m counts a norm above 1 as more than one feature, so it can exceed n/m: then say why, and what unit
    // norms would give (n/m at most).
    QString perDimension = QString::number(measures.featuresPerDimension, 'f', 2);
    if (measures.normsInflateCount())
        perDimension += tr(" (norms above 1, up to %1; unit-norm packing gives at most %2)")
                            .arg(measures.maxNorm, 0, 'f', 2)
                            .arg(measures.unitNormPerDimension, 0, 'f', 2);
    QString text = tr("step %1/%2 · loss %3 · features per dimension %4 · %5")
                       .arg(replaying ? shown.step : result.stepsDone)
                       .arg(result.training.steps)
                       .arg(loss, 0, 'g', 3)
                       .arg(perDimension)
                       .arg(kinds.isEmpty() ? tr("nothing learned") : kinds);
    if (selectedFeature >= 0 && selectedFeature < measures.norms.size())
        text += tr(" · feature %1: ‖W‖ = %2, D = %3")
                    .arg(selectedFeature)
                    .arg(measures.norms[selectedFeature], 0, 'f', 3)
                    .arg(measures.dimensionality[selectedFeature], 0, 'f', 3);
    return text;
}


QStringList ToyRunSummary::instanceTitles(const featurescope::ToyTrainingResult& result)
{
    QStringList titles;
    for (const auto& probability : result.model.config().featureProbability) {
        const double p = probability.empty() ? 1.0 : probability.front();
        titles << (p >= 1.0 ? tr("1\u2212S = 1 (dense)") : tr("1\u2212S = %1").arg(p, 0, 'g', 3));
    }
    return titles;
}

QString ToyRunSummary::lossStillFallingNote(const featurescope::ToyTrainingResult& result)
{
    const QStringList titles = instanceTitles(result);
    int falling = 0, steepest = -1;
    double steepestDrop = 0;
    for (std::size_t i = 0; i < result.lossHistory.size(); ++i) {
        const auto trend = featurescope::measureLossTrend(result.lossHistory[i]);
        if (!trend.stillFalling)
            continue;
        ++falling;
        if (trend.relativeDrop > steepestDrop) {
            steepestDrop = trend.relativeDrop;
            steepest = int(i);
        }
    }
    if (falling == 0)
        return {};
    return tr("Loss still falling in %1 of %2 instance(s) (%3: %4 % over the last tenth of the steps): more steps "
              "would lower it")
        .arg(falling)
        .arg(result.lossHistory.size())
        .arg(titles.value(steepest))
        .arg(-100.0 * steepestDrop, 0, 'f', 1);
}
