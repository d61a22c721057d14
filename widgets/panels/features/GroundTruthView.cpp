#include "GroundTruthView.h"

#include "GroundTruthCosinePlot.h"
#include "StudyJobBar.h"
#include "StudyLayout.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "experiments/SaeExperiment.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

using featurescope::GroundTruthComparison;
using featurescope::SaeExperimentConfig;

namespace {

QString numberOrDash(double v, int decimals) { return v >= 0.0 ? QString::number(v, 'f', decimals) : QStringLiteral("–"); }

} // namespace

SaeExperimentConfig GroundTruthView::presetConfig(Preset preset)
{
    SaeExperimentConfig c = SaeExperimentConfig::withDefaults(SaeExperimentConfig::Source::AbsorptionToy);
    c.sae.tiedEncoder = preset == AbsorptionTied;
    return c;
}

GroundTruthView::GroundTruthView(QWidget* parent) : QWidget(parent)
{
    m_preset = new QComboBox(this);
    m_preset->addItem(tr("Absorption toy, untied encoder"), int(AbsorptionUntied));
    m_preset->addItem(tr("Absorption toy, tied encoder"), int(AbsorptionTied));
    m_preset->addItem(tr("The panel's SAE"), int(PanelSae));
    m_preset->setToolTip(tr("Absorption toy (Chanin et al. 2024): 4 orthogonal features in d = 50, feature 1 fires only "
                            "with feature 0; a TM 2023 SAE with 4 latents. Tied encoders remove absorption. "
                            "\"The panel's SAE\" compares the SAE trained on the left (synthetic or toy source)"));
    m_bar = new StudyJobBar(tr("Ground-truth comparison"), tr("Train and compare"),
                            tr("Train the chosen preset (or take the panel's SAE) and compare its encoder and decoder "
                               "with the true features"),
                            this);
    auto* note = new QLabel(tr("Rows: true features. Columns: the latent matched to each true feature (Hungarian "
                               "matching), so matched pairs lie on the diagonal. Absorption: the parent's encoder row "
                               "turns negative on the child while its decoder column stays clean."),
                            this);
    note->setWordWrap(true);
    note->setToolTip(tr("How to read the ground-truth maps"));
    m_plot = new GroundTruthCosinePlot(this);
    m_plot->setObjectName(QStringLiteral("groundTruthPlot"));
    m_plot->setToolTip(tr("Signed cosines of each true feature with the matched latents' encoder rows (left) and "
                          "decoder columns (right); hover a cell"));
    m_table = new QTableWidget(0, 7, this);
    m_table->setObjectName(QStringLiteral("groundTruthTable"));
    m_table->setHorizontalHeaderLabels({tr("true feature"), tr("latent"), tr("decoder cos"), tr("encoder cos"),
                                        tr("F1"), tr("shrinkage"), tr("absorption")});
    const QString tips[] = {tr("The true feature (and its parent in the hierarchy)"),
                            tr("The latent the Hungarian matching gave it"),
                            tr("Cosine of its direction with the latent's decoder column"),
                            tr("Cosine of its direction with the latent's encoder row"),
                            tr("The latent as a detector of the feature: harmonic mean of precision and recall"),
                            tr("The latent's summed contribution over the feature's, where the feature is active (1: "
                               "none; below 1: the penalty shrinks it)"),
                            tr("For a child: where it fires, how often the parent's latent is silent while another "
                               "fires (absorbed)")};
    for (int c = 0; c < 7; ++c)
        m_table->horizontalHeaderItem(c)->setToolTip(tips[c]);
    m_table->verticalHeader()->setVisible(false);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->setDefaultSectionSize(22);
    m_table->setToolTip(tr("Recovery numbers per true feature"));
    // At least a header and three rows beside the maps (the absorption toy's parent and child among them).
    m_table->setMinimumHeight(m_table->horizontalHeader()->sizeHint().height() + 3 * 22 + 2 * m_table->frameWidth() + 2);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_plot);
    splitter->addWidget(m_table);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);

    StudyLayout::arrange(this, {m_preset, m_bar, note}, splitter);

    connect(m_bar, &StudyJobBar::runRequested, this, &GroundTruthView::start);
}

void GroundTruthView::setPreset(Preset preset) { m_preset->setCurrentIndex(m_preset->findData(int(preset))); }

GroundTruthView::Preset GroundTruthView::preset() const { return Preset(m_preset->currentData().toInt()); }

void GroundTruthView::setPanelSnapshot(std::shared_ptr<const FeatureSnapshot> snapshot) { m_snapshot = std::move(snapshot); }

bool GroundTruthView::hasResult() const { return m_comparison.featureCount() > 0; }

void GroundTruthView::start()
{
    const Preset chosen = preset();
    if (chosen == PanelSae && !(m_snapshot && m_snapshot->final && m_snapshot->sae && m_snapshot->hasGroundTruth())) {
        m_bar->setError(tr("The panel's SAE has no ground truth: train one on the synthetic or toy source first"));
        return;
    }
    const auto snapshot = m_snapshot;
    const QString name = m_preset->currentText();
    m_bar->start(tr("Ground truth: %1").arg(name), [this, chosen, snapshot, name](const featurescope::ProgressReporter& progress) {
        featurescope::SaeSourceFactory sources;
        GroundTruthComparison comparison;
        SaeExperimentConfig config;
        if (chosen == PanelSae) {
            config = snapshot->config;
            // The source again (cheap for generated sources) for its hierarchy of true features.
            const auto source = sources.build(config, featurescope::ProgressReporter(progress, 0.0, 0.5));
            progress.report(0.6, "Comparing with the true features");
            comparison = GroundTruthComparison::of(*snapshot->sae, *snapshot->evaluator, snapshot->truth,
                                                   source.source->hierarchy());
        } else {
            config = presetConfig(chosen);
            const auto run = featurescope::SaeExperiment::train(config, sources, progress);
            if (run.status == featurescope::TrainingStatus::Cancelled)
                throw featurescope::Cancelled();
            comparison = GroundTruthComparison::of(*run.sae, *run.evaluator, run.truth, run.source.source->hierarchy());
        }
        const QString caption =
            tr("%1: SAE %2%3, d_sae = %4, λ = %5, %6 steps, seed %7")
                .arg(name, QString::fromStdString(featurescope::saeVariantName(config.sae.variant)),
                     config.sae.tiedEncoder ? tr(" (tied)") : QString())
                .arg(config.sae.latentDim)
                .arg(config.sae.l1, 0, 'g', 3)
                .arg(config.training.steps)
                .arg(config.training.seed);
        m_bar->deliver([this, comparison, name, caption] { showComparison(comparison, name, caption); });
    });
}

GroundTruthView::~GroundTruthView() { m_bar->abandon(); }

void GroundTruthView::cancel() { m_bar->cancel(); }
bool GroundTruthView::isRunning() const { return m_bar->isRunning(); }
void GroundTruthView::waitForFinished() { m_bar->waitForFinished(); }

void GroundTruthView::showComparison(const GroundTruthComparison& comparison, const QString& subject, const QString& caption)
{
    m_comparison = comparison;
    m_caption = caption;
    m_subject = subject;
    m_plot->setComparison(comparison, subject);
    m_bar->setStatus(caption);
    const int F = comparison.featureCount();
    m_table->setRowCount(F);
    for (int i = 0; i < F; ++i) {
        const int latent = comparison.matchedLatent[std::size_t(i)];
        const int parent = comparison.parentOf[std::size_t(i)];
        const QString cells[] = {
            parent >= 0 ? tr("%1 (child of %2)").arg(i).arg(parent) : QString::number(i),
            latent >= 0 ? QString::number(latent) : tr("none"),
            QString::number(double(comparison.decoderCosine(i, i)), 'f', 3),
            QString::number(double(comparison.encoderCosine(i, i)), 'f', 3),
            comparison.hasDetection() ? numberOrDash(comparison.f1[std::size_t(i)], 3) : QStringLiteral("–"),
            comparison.hasDetection() ? numberOrDash(comparison.shrinkage[std::size_t(i)], 3) : QStringLiteral("–"),
            numberOrDash(comparison.absorption[std::size_t(i)], 3)};
        for (int c = 0; c < 7; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setTextAlignment(Qt::AlignCenter);
            m_table->setItem(i, c, item);
        }
    }
}
