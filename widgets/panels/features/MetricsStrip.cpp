#include "MetricsStrip.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace {

const char* const kNames[MetricsStrip::MetricCount] = {"L0", "MSE", QT_TRANSLATE_NOOP("MetricsStrip", "Var. explained"),
                                                       QT_TRANSLATE_NOOP("MetricsStrip", "Dead"),
                                                       QT_TRANSLATE_NOOP("MetricsStrip", "Dense"), "MMCS",
                                                       QT_TRANSLATE_NOOP("MetricsStrip", "Purity")};
const char* const kIds[MetricsStrip::MetricCount] = {"l0", "mse", "variance", "dead", "dense", "mmcs", "purity"};
const char* const kTips[MetricsStrip::MetricCount] = {
    QT_TRANSLATE_NOOP("MetricsStrip", "L0: mean number of active SAE features per input (for a ground-truth source "
                                      "compare with the true mean active count)"),
    QT_TRANSLATE_NOOP("MetricsStrip", "Mean squared reconstruction error per input dimension (original units)"),
    QT_TRANSLATE_NOOP("MetricsStrip", "Fraction of the inputs' variance the reconstruction explains: 1 − Σ‖x − x̂‖² / "
                                      "Σ‖x − mean‖²"),
    QT_TRANSLATE_NOOP("MetricsStrip", "Dead features: never active on the evaluation inputs"),
    QT_TRANSLATE_NOOP("MetricsStrip", "Dense features: active on more than 1 % of the inputs"),
    QT_TRANSLATE_NOOP("MetricsStrip", "Mean max cosine similarity: for each true feature the best cosine with any "
                                      "decoder direction, averaged (ground-truth sources only; 1 = all recovered)"),
    QT_TRANSLATE_NOOP("MetricsStrip", "Mean label purity of the features with at least 20 active examples (labelled "
                                      "sources only)")};

} // namespace

MetricsStrip::MetricsStrip(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(0);
    auto* row = new QHBoxLayout;
    row->setSpacing(18);
    for (int m = 0; m < MetricCount; ++m) {
        auto* name = m_names[m] = new QLabel(tr(kNames[m]), this);
        name->setStyleSheet(QStringLiteral("color: palette(mid);"));
        m_values[m] = new QLabel(QStringLiteral("–"), this);
        m_values[m]->setObjectName(QStringLiteral("metric-%1").arg(QLatin1String(kIds[m])));
        QFont font = m_values[m]->font();
        font.setPointSizeF(font.pointSizeF() * 1.25);
        font.setBold(true);
        m_values[m]->setFont(font);
        m_values[m]->setTextInteractionFlags(Qt::TextSelectableByMouse);
        auto* pair = new QHBoxLayout;
        pair->setSpacing(5);
        pair->addWidget(name);
        pair->addWidget(m_values[m]);
        for (QLabel* label : {name, m_values[m]})
            label->setToolTip(tr(kTips[m]));
        row->addLayout(pair);
    }
    row->addStretch();
    m_footnote = new QLabel(this);
    m_footnote->setObjectName(QStringLiteral("metricsFootnote"));
    m_footnote->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_footnote->setToolTip(tr("Where the numbers come from: while training, a live subset of the inputs; at the "
                              "end, the full evaluation set (the same inputs as `featurescope sae`)"));
    layout->addLayout(row);
    layout->addWidget(m_footnote);
    clear();
}

void MetricsStrip::clear()
{
    for (auto* label : m_values)
        label->setText(QStringLiteral("–"));
    m_footnote->setText(tr("Train an SAE to see its metrics"));
}

void MetricsStrip::setSnapshot(const FeatureSnapshot& snapshot)
{
    const auto& m = snapshot.metrics();
    m_values[L0]->setText(snapshot.trueMeanActive > 0.0
                              ? tr("%1 (true %2)").arg(m.l0, 0, 'f', 2).arg(snapshot.trueMeanActive, 0, 'f', 2)
                              : QString::number(m.l0, 'f', 2));
    m_values[Mse]->setText(QString::number(m.mse, 'g', 3));
    m_values[Variance]->setText(QStringLiteral("%1 %").arg(100.0 * m.explainedVariance, 0, 'f', 1));
    m_values[Dead]->setText(QStringLiteral("%1 %").arg(100.0 * m.deadFraction, 0, 'f', 1));
    m_values[Dense]->setText(QStringLiteral("%1 %").arg(100.0 * m.denseFraction, 0, 'f', 1));
    m_values[Mmcs]->setText(m.hasMmcs() ? QString::number(m.mmcs, 'f', 3) : QStringLiteral("–"));
    m_values[Purity]->setText(m.hasLabelPurity() ? QString::number(m.meanLabelPurity, 'f', 2) : QStringLiteral("–"));
    // Show MMCS only when there is a ground truth, purity only when there are labels.
    const bool truth = snapshot.hasGroundTruth(), labels = snapshot.hasLabels();
    m_names[Mmcs]->setVisible(truth);
    m_values[Mmcs]->setVisible(truth);
    m_names[Purity]->setVisible(labels);
    m_values[Purity]->setVisible(labels);
    QString note = snapshot.final
                       ? tr("step %1 of %2 · final, on %3 inputs").arg(snapshot.step).arg(snapshot.totalSteps).arg(m.evaluationCount)
                       : tr("step %1 of %2 · live, on %3 inputs").arg(snapshot.step).arg(snapshot.totalSteps).arg(m.evaluationCount);
    note += QStringLiteral(" · ") + snapshot.sourceDescription;
    if (!snapshot.statusMessage.isEmpty())
        note += QStringLiteral(" · ") + snapshot.statusMessage;
    m_footnote->setText(note);
}

QString MetricsStrip::valueText(Metric metric) const { return m_values[metric]->text(); }

QString MetricsStrip::footnote() const { return m_footnote->text(); }
