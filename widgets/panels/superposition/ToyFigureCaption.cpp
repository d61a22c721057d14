#include "ToyFigureCaption.h"

#include <QCoreApplication>

#include <algorithm>

using featurescope::ToyModelKind;

namespace {
QString tr(const char* text) { return QCoreApplication::translate("ToyFigureCaption", text); }
} // namespace

QString ToyFigureCaption::kindLabel(ToyModelKind kind)
{
    switch (kind) {
    case ToyModelKind::Linear: return tr("Linear");
    case ToyModelKind::ReluOutput: return tr("ReLU-output");
    case ToyModelKind::ReluHidden: return tr("ReLU-hidden");
    case ToyModelKind::UntiedAbs: return tr("Untied |x|");
    }
    return {};
}

QString ToyFigureCaption::text(const featurescope::ToyModelConfig& config, const featurescope::TrainingConfig& training,
                               const QString& figure, const Shown& shown)
{
    double pMax = 0.0, pMin = 1.0;
    for (const auto& row : config.featureProbability)
        for (double p : row) {
            pMax = std::max(pMax, p);
            pMin = std::min(pMin, p);
        }
    const QString probability = pMax == pMin ? tr("feature probability 1\u2212S = %1").arg(pMin, 0, 'g', 3)
                                             : tr("feature probability 1\u2212S from %1 to %2 across instances")
                                                   .arg(pMax, 0, 'g', 3)
                                                   .arg(pMin, 0, 'g', 3);
    const QString importance = !config.instanceImportance.empty() ? tr("per-instance importance")
                               : config.importanceDecay == 1.0    ? tr("uniform importance")
                                                                  : tr("importance %1^i").arg(config.importanceDecay, 0, 'g', 3);
    QString line1 = tr("%1 toy model, n = %2, m = %3, %4 instance(s), %5, %6.")
                        .arg(kindLabel(config.kind))
                        .arg(config.features)
                        .arg(config.hidden)
                        .arg(config.instances())
                        .arg(probability, importance);
    QString line2 = tr("%1, %2 steps%3, batch %4, lr %5, seed %6%7")
                        .arg(training.adamW ? tr("AdamW") : tr("Adam"))
                        .arg(training.steps)
                        .arg(shown.stepsDone >= 0 && shown.stepsDone != training.steps
                                 ? tr(" (%1 done)").arg(shown.stepsDone) : QString())
                        .arg(training.batch)
                        .arg(training.learningRate, 0, 'g', 3)
                        .arg(training.seed)
                        .arg(training.restarts > 1 ? tr(", best of %1 restarts").arg(training.restarts) : QString());
    if (!shown.instanceTitle.isEmpty())
        line2 += tr("; instance %1").arg(shown.instanceTitle);
    if (shown.snapshotStep >= 0 && figure != QLatin1String("loss"))
        line2 += tr("; weights at step %1").arg(shown.snapshotStep);
    return line1 + QLatin1Char('\n') + line2 + QLatin1Char('.');
}
