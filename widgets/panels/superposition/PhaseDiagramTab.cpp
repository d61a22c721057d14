#include "PhaseDiagramTab.h"

#include "common/BackgroundJob.h"
#include "common/SettingsReader.h"
#include "experiments/PhaseDiagramState.h"
#include "plots/PhaseDiagramPlot.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

PhaseDiagramTab::PhaseDiagramTab(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* row = new QHBoxLayout;
    m_features = new QComboBox(this);
    m_features->addItem(tr("n=3, m=2"), 3);
    m_features->addItem(tr("n=2, m=1"), 2);
    m_features->setToolTip(tr("Which phase diagram: one extra feature beside 1 or 2 others"));
    m_grid = new QSpinBox(this);
    m_grid->setRange(3, 40);
    m_grid->setValue(10);
    m_grid->setToolTip(tr("Cells per axis; each cell is one trained toy model"));
    m_steps = new QSpinBox(this);
    m_steps->setRange(100, 100000);
    m_steps->setSingleStep(500);
    m_steps->setValue(3000);
    m_steps->setToolTip(tr("Training steps per cell"));
    m_compute = new QPushButton(tr("Compute"), this);
    m_compute->setToolTip(tr("Train every cell of the grid (in the background, using all cores)"));
    row->addWidget(new QLabel(tr("Diagram:"), this));
    row->addWidget(m_features);
    row->addWidget(new QLabel(tr("Grid:"), this));
    row->addWidget(m_grid);
    row->addWidget(new QLabel(tr("Steps:"), this));
    row->addWidget(m_steps);
    row->addWidget(m_compute);
    row->addStretch();
    m_plot = new PhaseDiagramPlot(this);
    m_plot->setEmptyHint(tr("Press Compute to fill this diagram"));
    m_reading = new QLabel(this);
    m_reading->setObjectName(QStringLiteral("phaseReading"));
    m_reading->setWordWrap(true);
    // Until the first Compute the plot is empty: say why and what the button will do.
    m_reading->setText(tr("Press Compute to train one small toy model per cell (in the background, with progress "
                          "in the status bar) and compare where each puts the extra feature with the paper's "
                          "analytic regions."));
    layout->addLayout(row);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_reading);
    connect(m_compute, &QPushButton::clicked, this, &PhaseDiagramTab::computeRequested);

    m_job = new BackgroundJob(tr("Computing a phase diagram"), this);
    connect(m_job, &BackgroundJob::progress, this, &PhaseDiagramTab::workProgress);
    connect(m_job, &BackgroundJob::finished, this, [this](BackgroundJob::Outcome outcome, const QString& error) {
        m_compute->setEnabled(true);
        Q_EMIT workFinished(outcome == BackgroundJob::Outcome::Succeeded   ? tr("Phase diagram ready")
                            : outcome == BackgroundJob::Outcome::Cancelled ? tr("Phase diagram cancelled")
                                                                           : error);
    });
}

PhaseDiagramTab::~PhaseDiagramTab() { m_job->abandon(); }

void PhaseDiagramTab::compute(const featurescope::TrainingConfig& base)
{
    if (m_job->isRunning())
        return;
    const auto config = featurescope::PhaseDiagramConfig::standard(m_features->currentData().toInt(), m_grid->value());
    auto training = base;
    training.steps = m_steps->value();
    training.restarts = kRunsPerCell;
    training.snapshotCount = 2;
    m_compute->setEnabled(false);
    Q_EMIT workStarted(tr("Computing phase diagram"));
    m_job->start([this, config, training](const featurescope::ProgressReporter& progress) {
        featurescope::ProgressReporter stage(progress, 0.0, 1.0);
        auto result = featurescope::PhaseDiagram::compute(config, training, &stage);
        if (!progress.isCancelled())
            m_job->deliver([this, result = std::move(result)] { show(result); });
    });
}

void PhaseDiagramTab::waitForFinished() { m_job->waitForFinished(); }
void PhaseDiagramTab::cancel() { m_job->cancel(); }
bool PhaseDiagramTab::isBusy() const { return m_job->isRunning(); }

void PhaseDiagramTab::show(const featurescope::PhaseDiagramResult& result)
{
    m_result = result;
    std::vector<int> cells;
    for (auto r : result.empirical)
        cells.push_back(int(r));
    std::vector<std::vector<QPointF>> boundaries;
    for (const auto& curve : result.boundaries) {
        std::vector<QPointF> points;
        for (const auto& [x, y] : curve)
            points.emplace_back(x, y);
        boundaries.push_back(points);
    }
    m_plot->setGrid(result.config.relativeImportance, result.config.density, cells, boundaries);
    m_plot->setCertainty(result.certainty, result.runsPerCell);
    updateReading();
}

void PhaseDiagramTab::updateReading()
{
    if (!m_result)
        return;
    // Name the colour the boundaries are drawn in now: it follows the theme (white on the dark one).
    const int lightness = PhaseDiagramPlot::boundaryColor().lightness();
    const QString colour = lightness >= 200 ? tr("white") : lightness <= 60 ? tr("black") : tr("grey");
    m_reading->setText(tr("n=%1, m=%2: the trained models agree with the analytic regions (%4 lines) in "
                          "%3 % of cells. Superposition appears once features are sparse enough, and the "
                          "sparser they are, the less important the extra feature can be.")
                           .arg(m_result->config.features)
                           .arg(m_result->config.hidden())
                           .arg(100.0 * m_result->agreement(), 0, 'f', 0)
                           .arg(colour) +
                       (m_result->certainty.empty()
                            ? QString()
                            : tr(" Each cell is the best of %1 runs; paler cells are those where fewer runs agree "
                                 "(%2 % agree on average).")
                                  .arg(m_result->runsPerCell)
                                  .arg(100.0 * m_result->meanCertainty(), 0, 'f', 0)));
}

void PhaseDiagramTab::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        updateReading();
}

QString PhaseDiagramTab::caption(const featurescope::TrainingConfig& base) const
{
    return tr("Phase diagram, n = %1, m = %2 (one extra feature), %3 \u00d7 %3 grid, %4 steps per cell, best of %8 "
              "runs (paler cells: fewer runs agree), batch %5, lr %6, seed %7.")
        .arg(m_features->currentData().toInt())
        .arg(m_features->currentData().toInt() - 1)
        .arg(m_grid->value())
        .arg(m_steps->value())
        .arg(base.batch)
        .arg(base.learningRate, 0, 'g', 3)
        .arg(base.seed)
        .arg(m_result && m_result->runsPerCell > 0 ? m_result->runsPerCell : kRunsPerCell);
}

nlohmann::json PhaseDiagramTab::saveState() const
{
    nlohmann::json j = {{"features", m_features->currentData().toInt()},
                        {"grid", m_grid->value()},
                        {"steps", m_steps->value()},
                        {"result", nullptr}};
    if (m_result) // only the trained part: the analytic regions and boundaries are recomputed on restore
        j["result"] = featurescope::PhaseDiagramState::write(*m_result);
    return j;
}

PhaseDiagramTab::State PhaseDiagramTab::parseState(const featurescope::SettingsReader& stored) const
{
    State s;
    s.features = int(stored.integer("features", 2, 3));
    s.grid = int(stored.integer("grid", m_grid->minimum(), m_grid->maximum()));
    s.steps = int(stored.integer("steps", m_steps->minimum(), m_steps->maximum()));
    if (stored.has("result") && !stored.raw("result").is_null())
        s.result = featurescope::PhaseDiagramState::read(stored.object("result"));
    return s;
}

void PhaseDiagramTab::applyState(const State& state)
{
    m_features->setCurrentIndex(m_features->findData(state.features));
    m_grid->setValue(state.grid);
    m_steps->setValue(state.steps);
    if (state.result) {
        show(*state.result);
    } else if (m_result && !m_job->isRunning()) {
        m_result.reset();
        m_plot->clear();
        m_reading->clear();
    }
}
