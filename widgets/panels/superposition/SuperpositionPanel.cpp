#include "SuperpositionPanel.h"

#include "common/ControlsScrollArea.h"
#include "ScaleInvarianceTab.h"
#include "ToyControlsWidget.h"
#include "common/QtProgressBridge.h"
#include "common/InputError.h"
#include "geometry/FeatureGeometry.h"
#include "geometry/FeatureMeasures.h"
#include "plots/FeatureArrowsPlot.h"
#include "plots/GramHeatmapPlot.h"
#include "plots/LossCurvePlot.h"
#include "plots/NeuronBarsPlot.h"
#include "plots/NormBarsPlot.h"
#include "plots/PhaseDiagramPlot.h"
#include "plots/StickyFractionPlot.h"
#include "session/PanelState.h"
#include "session/SettingsReader.h"
#include "toy/SparsitySweep.h"

#include <nlohmann/json.hpp>

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>

using featurescope::ToyInstance;
using featurescope::ToyModelKind;

namespace {
// Parameter changes retrain at once when the run is this cheap (weights x samples x steps); larger runs wait for Train.
constexpr double kAutoTrainBudget = 3e10;

const QStringList kFigures{QStringLiteral("feature-arrows"), QStringLiteral("gram-heatmap"),
                           QStringLiteral("norm-bars"),      QStringLiteral("sticky-fraction"),
                           QStringLiteral("loss"),           QStringLiteral("neuron-bars"),
                           QStringLiteral("phase-diagram")};
} // namespace

SuperpositionPanel::SuperpositionPanel(QWidget* parent) : Panel(parent)
{
    m_controls = new ToyControlsWidget(this);
    auto* controlsScroll = new ControlsScrollArea(m_controls, 42, this);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("superpositionSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_instanceChoice = new QComboBox(this);
    m_instanceChoice->setToolTip(tr("The instance shown in the WᵀW and neuron views"));
    m_instanceChoice->setMinimumContentsLength(18);
    auto* header = new QHBoxLayout;
    header->addWidget(m_summary, 1);
    header->addWidget(new QLabel(tr("Instance:"), this));
    header->addWidget(m_instanceChoice);

    m_tabs = new QTabWidget(this);
    m_tabs->addTab(buildGeometryTab(), tr("Feature geometry"));
    m_tabs->addTab(buildHeatmapTab(), tr("Gram matrix and bias"));
    m_norms = new NormBarsPlot(this);
    m_tabs->addTab(m_norms, tr("Norms"));
    m_sticky = new StickyFractionPlot(this);
    m_tabs->addTab(m_sticky, tr("Sticky fractions"));
    m_loss = new LossCurvePlot(this);
    m_tabs->addTab(m_loss, tr("Loss"));
    {
        auto* page = new QWidget(this);
        auto* layout = new QVBoxLayout(page);
        m_neuronNote = new QLabel(page);
        m_neuronNote->setWordWrap(true);
        m_neurons = new NeuronBarsPlot(page);
        layout->addWidget(m_neuronNote);
        layout->addWidget(m_neurons, 1);
        m_tabs->addTab(page, tr("Neurons"));
    }
    m_tabs->addTab(buildPhaseTab(), tr("Phase diagram"));
    m_scaleLab = new ScaleInvarianceTab(this);
    m_tabs->addTab(m_scaleLab, tr("Scale invariance"));
    m_tabs->setTabToolTip(m_tabs->count() - 1, tr("Is \"features per dimension\" scale invariant? Rescale W by c and "
                                                  "watch each measure"));
    connect(m_scaleLab, &ScaleInvarianceTab::workStarted, this, &Panel::workStarted);
    connect(m_scaleLab, &ScaleInvarianceTab::workProgress, this, &Panel::workProgress);
    connect(m_scaleLab, &ScaleInvarianceTab::workFinished, this, &Panel::workFinished);
    m_tabs->setToolTip(tr("Click a feature in any view to select it everywhere"));

    auto* views = new QWidget(this);
    auto* viewsLayout = new QVBoxLayout(views);
    viewsLayout->setContentsMargins(0, 0, 0, 0);
    viewsLayout->addLayout(header);
    viewsLayout->addWidget(m_tabs, 1);

    auto* layout = new QHBoxLayout(this);
    layout->addWidget(controlsScroll);
    layout->addWidget(views, 1);

    m_worker = new ToyTrainingWorker(this);
    connect(m_worker, &ToyTrainingWorker::updated, this, &SuperpositionPanel::onTrainingUpdated);
    connect(m_worker, &ToyTrainingWorker::progress, this, &Panel::workProgress);
    connect(m_worker, &ToyTrainingWorker::paused, this, [this] {
        m_controls->setState(ToyControlsWidget::State::Paused);
        m_controls->setStatus(tr("Paused"));
    });
    connect(m_worker, &ToyTrainingWorker::finished, this, [this](const QString& message) {
        m_controls->setState(ToyControlsWidget::State::Idle);
        m_controls->setStatus(message);
        Q_EMIT workFinished(message);
    });
    connect(m_controls, &ToyControlsWidget::trainRequested, this, &SuperpositionPanel::startTraining);
    connect(m_controls, &ToyControlsWidget::resetRequested, this, &SuperpositionPanel::startTraining);
    connect(m_controls, &ToyControlsWidget::pauseRequested, m_worker, &ToyTrainingWorker::pause);
    connect(m_controls, &ToyControlsWidget::resumeRequested, this, [this] {
        m_controls->setState(ToyControlsWidget::State::Running);
        m_worker->resume();
    });
    connect(m_controls, &ToyControlsWidget::stopRequested, m_worker, &ToyTrainingWorker::stop);
    connect(m_controls, &ToyControlsWidget::changed, this, &SuperpositionPanel::onParametersChanged);

    m_redrawTimer.setSingleShot(true);
    connect(&m_redrawTimer, &QTimer::timeout, this, &SuperpositionPanel::redrawTrainingState);
    m_retrainTimer.setSingleShot(true);
    m_retrainTimer.setInterval(300);
    connect(&m_retrainTimer, &QTimer::timeout, this, &SuperpositionPanel::startTraining);

    connect(m_tabs, &QTabWidget::currentChanged, this, &SuperpositionPanel::refreshCurrentView);
    connect(m_instanceChoice, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0 && index != m_selectedInstance) {
            m_selectedInstance = index;
            refreshCurrentView();
            refreshSummary();
        }
    });
    auto select = [this](int feature) { setSelectedFeature(feature == m_selectedFeature ? -1 : feature); };
    connect(m_arrows, &FeatureArrowsPlot::featureClicked, this, select);
    connect(m_heatmap, &GramHeatmapPlot::featureClicked, this, select);
    connect(m_norms, &NormBarsPlot::featureClicked, this, select);
    connect(m_neurons, &NeuronBarsPlot::featureClicked, this, select);

    m_phaseProgress = new QtProgressBridge(this);
    connect(m_phaseProgress, &QtProgressBridge::progress, this, &Panel::workProgress);
    connect(&m_phaseWatcher, &QFutureWatcher<featurescope::PhaseDiagramResult>::finished, this, [this] {
        m_phaseCompute->setEnabled(true);
        if (m_phaseProgress->isCancelled()) {
            Q_EMIT workFinished(tr("Phase diagram cancelled"));
            return;
        }
        showPhaseDiagram(m_phaseWatcher.result());
        Q_EMIT workFinished(tr("Phase diagram ready"));
    });
}

SuperpositionPanel::~SuperpositionPanel()
{
    m_phaseProgress->cancel();
    m_phaseWatcher.waitForFinished();
}

QWidget* SuperpositionPanel::buildGeometryTab()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    m_arrows = new FeatureArrowsPlot(page);
    m_timeSlider = new QSlider(Qt::Horizontal, page);
    m_timeSlider->setToolTip(tr("Replay training: drag to see the stored snapshots; the right end follows training live"));
    m_timeLabel = new QLabel(tr("live"), page);
    m_timeLabel->setMinimumWidth(120);
    auto* timeRow = new QHBoxLayout;
    timeRow->addWidget(new QLabel(tr("Training time:"), page));
    timeRow->addWidget(m_timeSlider, 1);
    timeRow->addWidget(m_timeLabel);
    layout->addWidget(m_arrows, 1);
    layout->addLayout(timeRow);
    connect(m_timeSlider, &QSlider::valueChanged, this, [this](int value) {
        if (!m_result)
            return;
        const int last = int(m_result->snapshots.size()) - 1;
        m_snapshotIndex = value >= last ? -1 : value;
        m_timeLabel->setText(m_snapshotIndex < 0
                                 ? tr("live (step %1)").arg(m_result->stepsDone)
                                 : tr("step %1").arg(m_result->snapshots[std::size_t(m_snapshotIndex)].step));
        refreshCurrentView();
    });
    return page;
}

QWidget* SuperpositionPanel::buildHeatmapTab()
{
    m_heatmap = new GramHeatmapPlot(this);
    return m_heatmap;
}

QWidget* SuperpositionPanel::buildPhaseTab()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    auto* row = new QHBoxLayout;
    m_phaseFeatures = new QComboBox(page);
    m_phaseFeatures->addItem(tr("n=3, m=2"), 3);
    m_phaseFeatures->addItem(tr("n=2, m=1"), 2);
    m_phaseFeatures->setToolTip(tr("Which phase diagram: one extra feature beside 1 or 2 others"));
    m_phaseGrid = new QSpinBox(page);
    m_phaseGrid->setRange(3, 40);
    m_phaseGrid->setValue(10);
    m_phaseGrid->setToolTip(tr("Cells per axis; each cell is one trained toy model"));
    m_phaseSteps = new QSpinBox(page);
    m_phaseSteps->setRange(100, 100000);
    m_phaseSteps->setSingleStep(500);
    m_phaseSteps->setValue(3000);
    m_phaseSteps->setToolTip(tr("Training steps per cell"));
    m_phaseCompute = new QPushButton(tr("Compute"), page);
    m_phaseCompute->setToolTip(tr("Train every cell of the grid (in the background, using all cores)"));
    row->addWidget(new QLabel(tr("Diagram:"), page));
    row->addWidget(m_phaseFeatures);
    row->addWidget(new QLabel(tr("Grid:"), page));
    row->addWidget(m_phaseGrid);
    row->addWidget(new QLabel(tr("Steps:"), page));
    row->addWidget(m_phaseSteps);
    row->addWidget(m_phaseCompute);
    row->addStretch();
    m_phase = new PhaseDiagramPlot(page);
    m_phaseReading = new QLabel(page);
    m_phaseReading->setWordWrap(true);
    layout->addLayout(row);
    layout->addWidget(m_phase, 1);
    layout->addWidget(m_phaseReading);
    connect(m_phaseCompute, &QPushButton::clicked, this, &SuperpositionPanel::computePhaseDiagram);
    return page;
}

QStringList SuperpositionPanel::figureNames() const { return kFigures + m_scaleLab->figureNames(); }

QWidget* SuperpositionPanel::figureWidget(const QString& name)
{
    const int index = kFigures.indexOf(name);
    QWidget* widgets[] = {m_arrows, m_heatmap, m_norms, m_sticky, m_loss, m_neurons, m_phase};
    if (index < 0)
        return m_scaleLab->figureWidget(name);
    // Exported figures must be drawn with current data even when their tab is hidden.
    const int tabs[] = {0, 1, 2, 3, 4, 5, 6};
    const int previous = m_tabs->currentIndex();
    m_tabs->setCurrentIndex(tabs[index]);
    refreshCurrentView();
    m_tabs->setCurrentIndex(previous);
    return widgets[index];
}

void SuperpositionPanel::prepareForRender()
{
    if (!m_result || m_worker->isRunning()) {
        startTraining();
        waitForTraining();
    }
    refreshCurrentView();
}

void SuperpositionPanel::prepareFigureForRender(const QString& figure)
{
    if (figure == QLatin1String("phase-diagram")) {
        if (!m_phaseResult) { // a session that holds its phase diagram is drawn as saved
            computePhaseDiagram();
            waitForPhaseDiagram();
        }
        return;
    }
    if (m_scaleLab->figureNames().contains(figure)) {
        m_scaleLab->prepareForRender();
        return;
    }
    prepareForRender();
}

bool SuperpositionPanel::isBusy() const { return m_worker->isRunning() || m_phaseWatcher.isRunning(); }
// (the scale lab reports its own work through the forwarded signals)

void SuperpositionPanel::cancelWork()
{
    m_worker->stop();
    m_phaseProgress->cancel();
    m_scaleLab->cancelWork();
}

void SuperpositionPanel::showEvent(QShowEvent* event)
{
    Panel::showEvent(event);
    // The default session trains the moment the panel first appears.
    if (!m_started && !testAttribute(Qt::WA_DontShowOnScreen)) {
        m_started = true;
        startTraining();
    }
}

void SuperpositionPanel::startTraining()
{
    m_started = true;
    m_retrainTimer.stop();
    try {
        m_worker->start(m_controls->modelConfig(), m_controls->trainingConfig());
    } catch (const featurescope::InputError& error) {
        m_controls->setStatus(tr("<span style='color:#c0392b'>%1</span>").arg(QString::fromStdString(error.what()).toHtmlEscaped()));
        return;
    }
    m_snapshotIndex = -1;
    m_controls->setState(ToyControlsWidget::State::Running);
    m_controls->setStatus(tr("Training…"));
    Q_EMIT workStarted(tr("Training toy model"));
}

void SuperpositionPanel::waitForTraining()
{
    m_worker->waitForFinished();
    QCoreApplication::sendPostedEvents(this);
    QCoreApplication::sendPostedEvents(m_worker);
    m_redrawTimer.stop();
    redrawTrainingState(); // a deferred live redraw must not leave a finished run half drawn
}

void SuperpositionPanel::onParametersChanged()
{
    const auto model = m_controls->modelConfig();
    const auto training = m_controls->trainingConfig();
    const double cost = double(model.instances()) * model.features * model.hidden * training.batch * training.steps *
                        training.restarts;
    if (!m_started)
        return;
    if (cost <= kAutoTrainBudget) {
        m_retrainTimer.start();
    } else {
        m_controls->setStatus(tr("Parameters changed: press Train (Ctrl+Return) to retrain"));
    }
}

void SuperpositionPanel::onTrainingUpdated(const ToyTrainingWorker::Result& result)
{
    const bool final = result->status != featurescope::TrainingStatus::Running || !m_worker->isRunning();
    const bool shapeChanged = !m_result || m_result->model.instanceCount() != result->model.instanceCount() ||
                              m_result->model.config().features != result->model.config().features;
    m_result = result;
    if (shapeChanged) {
        m_selectedInstance = std::clamp(m_selectedInstance, 0, result->model.instanceCount() - 1);
        if (m_selectedFeature >= result->model.config().features)
            m_selectedFeature = -1;
    }
    if (!final && !shapeChanged && m_sinceRedraw.isValid() && m_sinceRedraw.elapsed() < m_redrawIntervalMs) {
        if (!m_redrawTimer.isActive())
            m_redrawTimer.start(int(m_redrawIntervalMs - m_sinceRedraw.elapsed()));
        return;
    }
    m_redrawTimer.stop();
    redrawTrainingState();
}

void SuperpositionPanel::redrawTrainingState()
{
    if (!m_result)
        return;
    QElapsedTimer cost;
    cost.start();
    const auto result = m_result;
    refreshInstanceChoices();
    {
        const QSignalBlocker blocker(m_timeSlider);
        m_timeSlider->setRange(0, std::max(0, int(result->snapshots.size()) - 1));
        if (m_snapshotIndex < 0)
            m_timeSlider->setValue(m_timeSlider->maximum());
    }
    if (m_snapshotIndex < 0)
        m_timeLabel->setText(tr("live (step %1)").arg(result->stepsDone));
    refreshCurrentView();
    refreshSummary();
    m_redrawIntervalMs = std::max<qint64>(50, 4 * cost.elapsed());
    m_sinceRedraw.start();
}

void SuperpositionPanel::refreshInstanceChoices()
{
    if (!m_result)
        return;
    const QStringList titles = instanceTitles();
    bool same = m_instanceChoice->count() == titles.size();
    for (int i = 0; same && i < titles.size(); ++i)
        same = m_instanceChoice->itemText(i) == titles[i];
    if (same)
        return;
    const QSignalBlocker blocker(m_instanceChoice);
    m_instanceChoice->clear();
    m_instanceChoice->addItems(titles);
    m_instanceChoice->setCurrentIndex(m_selectedInstance);
}

QStringList SuperpositionPanel::instanceTitles() const
{
    QStringList titles;
    if (!m_result)
        return titles;
    const auto& probability = m_result->model.config().featureProbability;
    for (std::size_t i = 0; i < probability.size(); ++i) {
        const double p = probability[i].front();
        titles << (p >= 1.0 ? tr("1−S = 1 (dense)") : tr("1−S = %1").arg(p, 0, 'g', 3));
    }
    return titles;
}

bool SuperpositionPanel::showsLiveState() const
{
    if (!m_result)
        return false;
    const bool replaying = m_snapshotIndex >= 0 && std::size_t(m_snapshotIndex) < m_result->snapshots.size();
    return !replaying && m_result->isAnalysed();
}

std::vector<ToyInstance> SuperpositionPanel::displayedInstances() const
{
    if (!m_result)
        return {};
    if (m_snapshotIndex >= 0 && std::size_t(m_snapshotIndex) < m_result->snapshots.size())
        return m_result->snapshots[std::size_t(m_snapshotIndex)].instances;
    std::vector<ToyInstance> instances;
    for (int i = 0; i < m_result->model.instanceCount(); ++i)
        instances.push_back(m_result->model.instance(i));
    return instances;
}

void SuperpositionPanel::refreshCurrentView()
{
    if (!m_result)
        return;
    const auto instances = displayedInstances();
    const int selected = std::clamp(m_selectedInstance, 0, int(instances.size()) - 1);
    switch (m_tabs->currentIndex()) {
    case 0: {
        std::vector<Eigen::MatrixXf> W;
        for (const auto& inst : instances)
            W.push_back(inst.W);
        // The live state comes analysed from the training thread; a replayed snapshot is analysed here.
        if (showsLiveState()) {
            m_arrows->setInstances(W, instanceTitles(), m_result->geometry, &m_result->measures);
        } else {
            std::vector<std::vector<featurescope::GeometryComponent>> geometry;
            for (const auto& w : W)
                geometry.push_back(featurescope::findFeatureGeometry(w));
            m_arrows->setInstances(W, instanceTitles(), geometry);
        }
        m_arrows->setSelectedFeature(m_selectedFeature);
        break;
    }
    case 1:
        m_heatmap->setMatrix(instances[std::size_t(selected)].W, instances[std::size_t(selected)].b);
        m_heatmap->setSelectedFeature(m_selectedFeature);
        break;
    case 2: {
        std::vector<Eigen::MatrixXf> W;
        for (const auto& inst : instances)
            W.push_back(inst.W);
        m_norms->setInstances(W, instanceTitles(), showsLiveState() ? &m_result->measures : nullptr);
        m_norms->setSelectedFeature(m_selectedFeature);
        break;
    }
    case 3: {
        // Live: the measures came from the training thread. Replay: computed here for the snapshot.
        featurescope::ToyModel model = m_result->model;
        for (int i = 0; i < model.instanceCount(); ++i)
            model.instance(i) = instances[std::size_t(i)];
        const auto points = showsLiveState() ? featurescope::SparsitySweep::summarise(model, m_result->measures)
                                             : featurescope::SparsitySweep::summarise(model);
        std::vector<double> x, y;
        std::vector<std::vector<float>> d;
        for (const auto& p : points) {
            x.push_back(p.inverseDensity);
            y.push_back(p.dimensionsPerFeature);
            d.push_back(p.featureDimensionality);
        }
        m_sticky->setData(x, y, d);
        break;
    }
    case 4:
        m_loss->setHistories(m_result->lossHistory, instanceTitles());
        break;
    case 5: {
        const bool hidden = m_result->model.config().kind == ToyModelKind::ReluHidden;
        m_neuronNote->setText(hidden ? tr("Each bar is a hidden neuron; its segments are the features' weights "
                                          "(positive up, negative down). One colour per neuron = monosemantic.")
                                     : tr("Neuron bars are meaningful for the ReLU-hidden model (privileged basis); "
                                          "this model's hidden basis is arbitrary, shown for reference."));
        m_neurons->setWeights(instances[std::size_t(selected)].W);
        m_neurons->setSelectedFeature(m_selectedFeature);
        break;
    }
    default:
        break;
    }
}

void SuperpositionPanel::refreshSummary()
{
    if (!m_result)
        return;
    const int i = std::clamp(m_selectedInstance, 0, m_result->model.instanceCount() - 1);
    const auto& W = m_result->model.instance(i).W;
    const bool analysed = m_result->isAnalysed();
    const auto measures = analysed ? m_result->measures[std::size_t(i)] : featurescope::computeFeatureMeasures(W);
    const auto geometry = analysed ? m_result->geometry[std::size_t(i)] : featurescope::findFeatureGeometry(W);
    const QString kinds = QString::fromStdString(featurescope::summariseGeometry(geometry, ", ", false));
    const double loss = m_result->lossHistory[std::size_t(i)].empty() ? 0.0 : m_result->lossHistory[std::size_t(i)].back();
    QString text = tr("step %1/%2 · loss %3 · features per dimension %4 · %5")
                       .arg(m_result->stepsDone)
                       .arg(m_result->training.steps)
                       .arg(loss, 0, 'g', 3)
                       .arg(measures.featuresPerDimension, 0, 'f', 2)
                       .arg(kinds.isEmpty() ? tr("nothing learned") : kinds);
    if (m_selectedFeature >= 0 && m_selectedFeature < measures.norms.size())
        text += tr(" · feature %1: ‖W‖ = %2, D = %3")
                    .arg(m_selectedFeature)
                    .arg(measures.norms[m_selectedFeature], 0, 'f', 3)
                    .arg(measures.dimensionality[m_selectedFeature], 0, 'f', 3);
    m_summary->setText(text);
}

void SuperpositionPanel::setSelectedFeature(int feature)
{
    m_selectedFeature = feature;
    m_arrows->setSelectedFeature(feature);
    m_heatmap->setSelectedFeature(feature);
    m_norms->setSelectedFeature(feature);
    m_neurons->setSelectedFeature(feature);
    refreshSummary();
}

void SuperpositionPanel::setSelectedInstance(int instance)
{
    m_instanceChoice->setCurrentIndex(instance);
}

void SuperpositionPanel::computePhaseDiagram()
{
    if (m_phaseWatcher.isRunning())
        return;
    const auto config = featurescope::PhaseDiagramConfig::standard(m_phaseFeatures->currentData().toInt(),
                                                                    m_phaseGrid->value());
    auto training = m_controls->trainingConfig();
    training.steps = m_phaseSteps->value();
    training.restarts = 2;
    training.snapshotCount = 2;
    m_phaseProgress->reset();
    auto* reporter = m_phaseProgress->reporter();
    m_phaseCompute->setEnabled(false);
    Q_EMIT workStarted(tr("Computing phase diagram"));
    m_phaseWatcher.setFuture(QtConcurrent::run([config, training, reporter] {
        return featurescope::PhaseDiagram::compute(config, training, reporter);
    }));
}

void SuperpositionPanel::waitForPhaseDiagram()
{
    m_phaseWatcher.waitForFinished();
    QCoreApplication::sendPostedEvents(&m_phaseWatcher);
    QCoreApplication::sendPostedEvents(this);
    if (m_phaseWatcher.isFinished() && m_phaseWatcher.future().resultCount() > 0)
        showPhaseDiagram(m_phaseWatcher.result());
}

void SuperpositionPanel::showPhaseDiagram(const featurescope::PhaseDiagramResult& result)
{
    m_phaseResult = result;
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
    m_phase->setGrid(result.config.relativeImportance, result.config.density, cells, boundaries);
    m_phaseReading->setText(tr("n=%1, m=%2: the trained models agree with the analytic regions (black lines) in "
                               "%3 % of cells. Superposition appears once features are sparse enough, and the "
                               "sparser they are, the less important the extra feature can be.")
                                .arg(result.config.features)
                                .arg(result.config.hidden())
                                .arg(100.0 * result.agreement(), 0, 'f', 0));
}

// ---------------------------------------------------------------------------------------------------------------
// Sessions

namespace {

using featurescope::ArrayData;
using featurescope::InputError;
using json = nlohmann::json;

// The phase diagram a session holds: its grid and trained cells (bounded, checked), completed by the analytic part.
featurescope::PhaseDiagramResult readPhaseResult(const featurescope::SettingsReader& stored)
{
    featurescope::PhaseDiagramConfig config;
    config.features = int(stored.integer("features", 2, 3));
    config.relativeImportance = stored.numbers("relative_importance", 4096, 1e-9, 1e3);
    config.density = stored.numbers("density", 4096, 1e-9, 1.0);
    std::vector<featurescope::PhaseRegion> regions;
    for (std::int64_t region : stored.integers("empirical", 4096, 0, 2))
        regions.push_back(featurescope::PhaseRegion(region));
    std::vector<float> norms;
    for (double norm : stored.numbers("extra_norm", 4096, 0.0, 1e6))
        norms.push_back(float(norm));
    try {
        return featurescope::PhaseDiagram::assemble(config, std::move(regions), std::move(norms));
    } catch (const InputError& error) {
        throw InputError(stored.where() + ": " + error.what());
    }
}

const char* statusName(featurescope::TrainingStatus status)
{
    switch (status) {
    case featurescope::TrainingStatus::Running: return "running";
    case featurescope::TrainingStatus::Finished: return "finished";
    case featurescope::TrainingStatus::Cancelled: return "cancelled";
    case featurescope::TrainingStatus::Diverged: return "diverged";
    }
    return "finished";
}

// Matrices of one shape stacked as a C-order array [count, rows, cols] (Eigen stores columns first).
ArrayData stack(const std::vector<const Eigen::MatrixXf*>& matrices, Eigen::Index rows, Eigen::Index cols)
{
    std::vector<float> values;
    values.reserve(matrices.size() * std::size_t(rows * cols));
    for (const Eigen::MatrixXf* m : matrices)
        for (Eigen::Index r = 0; r < rows; ++r)
            for (Eigen::Index c = 0; c < cols; ++c)
                values.push_back((*m)(r, c));
    return ArrayData::fromFloats({matrices.size(), std::uint64_t(rows), std::uint64_t(cols)}, values.data());
}

ArrayData stackVectors(const std::vector<const Eigen::VectorXf*>& vectors, Eigen::Index size)
{
    std::vector<float> values;
    for (const Eigen::VectorXf* v : vectors)
        values.insert(values.end(), v->data(), v->data() + size);
    return ArrayData::fromFloats({vectors.size(), std::uint64_t(size)}, values.data());
}

// Reads a floating-point array of exactly `shape` (any float dtype), or throws naming it.
std::vector<float> floatsOf(const featurescope::PanelState& state, const std::string& name,
                            const ArrayData::Shape& shape, const std::string& where)
{
    const auto it = state.arrays.find(name);
    if (it == state.arrays.end())
        throw InputError(where + ": the array '" + name + "' is missing");
    const ArrayData& a = it->second;
    if (a.shape() != shape)
        throw InputError(where + ": the array '" + name + "' is " + ArrayData::shapeText(a.shape()) + ", expected " +
                         ArrayData::shapeText(shape));
    if (a.dtype() != featurescope::DType::F32 && a.dtype() != featurescope::DType::F64 &&
        a.dtype() != featurescope::DType::F16 && a.dtype() != featurescope::DType::BF16)
        throw InputError(where + ": the array '" + name + "' is not floating point (" + a.describe() + ")");
    return a.toFloatVector();
}

Eigen::MatrixXf matrixAt(const std::vector<float>& values, std::size_t index, int rows, int cols)
{
    Eigen::MatrixXf m(rows, cols);
    const float* p = values.data() + index * std::size_t(rows) * std::size_t(cols);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            m(r, c) = p[std::size_t(r) * std::size_t(cols) + std::size_t(c)];
    return m;
}

Eigen::VectorXf vectorAt(const std::vector<float>& values, std::size_t index, int size)
{
    return Eigen::Map<const Eigen::VectorXf>(values.data() + index * std::size_t(size), size);
}

QString kindLabel(ToyModelKind kind)
{
    switch (kind) {
    case ToyModelKind::Linear: return QCoreApplication::translate("SuperpositionPanel", "Linear");
    case ToyModelKind::ReluOutput: return QCoreApplication::translate("SuperpositionPanel", "ReLU-output");
    case ToyModelKind::ReluHidden: return QCoreApplication::translate("SuperpositionPanel", "ReLU-hidden");
    case ToyModelKind::UntiedAbs: return QCoreApplication::translate("SuperpositionPanel", "Untied |x|");
    }
    return {};
}

// The trained state a session holds, rebuilt and validated completely before the panel changes.
std::shared_ptr<const featurescope::ToyTrainingResult> readResult(const featurescope::PanelState& state,
                                                                  const json& settings, const std::string& where)
{
    const featurescope::SettingsReader r(settings, where);
    const auto model = r.object("model");
    featurescope::ToyModelConfig config;
    config.features = int(model.integer("features", 1, 5000));
    config.hidden = int(model.integer("hidden", 1, 1000));
    config.kind = featurescope::toyModelKindFromName(model.choice("kind", {"linear", "relu-output", "relu-hidden", "untied-abs"}));
    config.importanceDecay = model.number("importance_decay", 0.0, 1e6);
    const int instances = int(model.integer("instances", 1, 4096));
    const auto n = std::uint64_t(config.features), m = std::uint64_t(config.hidden), I = std::uint64_t(instances);
    const auto probability = floatsOf(state, "probability", {I, n}, where);
    config.featureProbability.assign(I, std::vector<double>(n));
    for (std::uint64_t i = 0; i < I; ++i)
        for (std::uint64_t f = 0; f < n; ++f)
            config.featureProbability[i][f] = probability[i * n + f];
    if (model.boolean("per_instance_importance")) {
        const auto importance = floatsOf(state, "importance", {I, n}, where);
        config.instanceImportance.assign(I, std::vector<double>(n));
        for (std::uint64_t i = 0; i < I; ++i)
            for (std::uint64_t f = 0; f < n; ++f)
                config.instanceImportance[i][f] = importance[i * n + f];
    }
    try {
        config.validate();
    } catch (const InputError& e) {
        throw InputError(where + ".model: " + e.what());
    }

    const auto t = r.object("training");
    featurescope::TrainingConfig training;
    training.steps = int(t.integer("steps", 1, 100'000'000));
    training.batch = int(t.integer("batch", 1, 1 << 20));
    training.learningRate = t.number("learning_rate", 0.0, 1e3);
    training.adamW = t.boolean("adamw");
    training.weightDecay = t.number("weight_decay", 0.0, 1e3);
    training.seed = std::uint64_t(t.integer("seed", 0, INT64_MAX));
    training.restarts = int(t.integer("restarts", 1, 1000));
    training.snapshotCount = int(t.integer("snapshot_count", 0, 100000));
    training.threads = int(t.integer("threads", 1, 1024));

    auto result = std::make_shared<featurescope::ToyTrainingResult>();
    result->model = featurescope::ToyModel(config);
    result->training = training;
    result->stepsDone = int(r.integer("steps_done", 0, training.steps));
    const std::string status = r.choice("status", {"running", "finished", "cancelled", "diverged"});
    // A run saved while training continues no further: it is shown as stopped.
    result->status = status == "finished" ? featurescope::TrainingStatus::Finished
                     : status == "diverged" ? featurescope::TrainingStatus::Diverged
                                            : featurescope::TrainingStatus::Cancelled;
    result->message = r.text("message", 2000);
    const bool untied = !config.tied();
    const auto W = floatsOf(state, "W", {I, m, n}, where);
    const auto b = floatsOf(state, "b", {I, n}, where);
    const auto D = untied ? floatsOf(state, "decoder", {I, m, n}, where) : std::vector<float>{};
    for (int i = 0; i < instances; ++i) {
        auto& inst = result->model.instance(i);
        inst.W = matrixAt(W, std::size_t(i), config.hidden, config.features);
        inst.b = vectorAt(b, std::size_t(i), config.features);
        if (untied)
            inst.decoder = matrixAt(D, std::size_t(i), config.hidden, config.features);
    }
    const auto lengths = r.integers("loss_lengths", std::size_t(instances), 0, INT32_MAX);
    if (lengths.size() != I)
        throw InputError(where + ": \"loss_lengths\" must name one length per instance");
    std::uint64_t total = 0;
    for (auto l : lengths)
        total += std::uint64_t(l);
    const auto loss = floatsOf(state, "loss", {total}, where);
    std::size_t offset = 0;
    for (auto l : lengths) {
        result->lossHistory.emplace_back(loss.begin() + std::ptrdiff_t(offset), loss.begin() + std::ptrdiff_t(offset + std::size_t(l)));
        offset += std::size_t(l);
    }
    const auto finalLoss = floatsOf(state, "final_loss", {I}, where);
    result->finalLoss.assign(finalLoss.begin(), finalLoss.end());
    for (auto k : r.integers("restart_chosen", std::size_t(instances), 0, training.restarts))
        result->restartChosen.push_back(int(k));
    const auto steps = r.integers("snapshot_steps", 100000, 0, training.steps);
    if (!steps.empty()) {
        const std::uint64_t S = steps.size();
        const auto sW = floatsOf(state, "snapshot_W", {S, I, m, n}, where);
        const auto sb = floatsOf(state, "snapshot_b", {S, I, n}, where);
        const auto sD = untied ? floatsOf(state, "snapshot_decoder", {S, I, m, n}, where) : std::vector<float>{};
        for (std::uint64_t s = 0; s < S; ++s) {
            featurescope::ToySnapshot snapshot;
            snapshot.step = int(steps[s]);
            for (std::uint64_t i = 0; i < I; ++i) {
                featurescope::ToyInstance inst;
                inst.W = matrixAt(sW, std::size_t(s * I + i), config.hidden, config.features);
                inst.b = vectorAt(sb, std::size_t(s * I + i), config.features);
                if (untied)
                    inst.decoder = matrixAt(sD, std::size_t(s * I + i), config.hidden, config.features);
                snapshot.instances.push_back(std::move(inst));
            }
            result->snapshots.push_back(std::move(snapshot));
        }
    }
    return result;
}

} // namespace

void SuperpositionPanel::saveState(featurescope::PanelState& state) const
{
    json settings;
    settings["controls"] = m_controls->saveSettings();
    settings["view"] = {{"tab", m_tabs->currentIndex()},
                        {"selected_feature", m_selectedFeature},
                        {"selected_instance", m_selectedInstance},
                        {"snapshot", m_snapshotIndex}};
    settings["phase"] = {{"features", m_phaseFeatures->currentData().toInt()},
                         {"grid", m_phaseGrid->value()},
                         {"steps", m_phaseSteps->value()},
                         {"result", nullptr}};
    if (m_phaseResult) {
        // Only the trained part: the analytic regions and boundaries are recomputed on restore.
        std::vector<int> regions;
        for (auto region : m_phaseResult->empirical)
            regions.push_back(int(region));
        settings["phase"]["result"] = {{"features", m_phaseResult->config.features},
                                       {"relative_importance", m_phaseResult->config.relativeImportance},
                                       {"density", m_phaseResult->config.density},
                                       {"empirical", regions},
                                       {"extra_norm", m_phaseResult->extraNorm}};
    }
    settings["scale_lab"] = m_scaleLab->saveSettings();
    settings["result"] = nullptr;
    state.arrays.clear();
    if (const auto result = m_result) {
        const auto& config = result->model.config();
        const int I = result->model.instanceCount();
        const auto n = std::uint64_t(config.features);
        const bool perInstance = !config.instanceImportance.empty();
        json r;
        r["model"] = {{"features", config.features},
                      {"hidden", config.hidden},
                      {"kind", featurescope::toyModelKindName(config.kind)},
                      {"importance_decay", config.importanceDecay},
                      {"instances", I},
                      {"per_instance_importance", perInstance}};
        const auto& t = result->training;
        r["training"] = {{"steps", t.steps},     {"batch", t.batch},         {"learning_rate", t.learningRate},
                         {"adamw", t.adamW},     {"weight_decay", t.weightDecay}, {"seed", t.seed},
                         {"restarts", t.restarts}, {"snapshot_count", t.snapshotCount}, {"threads", t.threads}};
        r["steps_done"] = result->stepsDone;
        r["status"] = statusName(result->status);
        r["message"] = result->message;
        std::vector<double> probability, importance;
        for (int i = 0; i < I; ++i)
            for (std::uint64_t f = 0; f < n; ++f) {
                probability.push_back(config.featureProbability[std::size_t(i)][f]);
                if (perInstance)
                    importance.push_back(config.instanceImportance[std::size_t(i)][f]);
            }
        state.arrays["probability"] = ArrayData::fromDoubles({std::uint64_t(I), n}, probability.data());
        if (perInstance)
            state.arrays["importance"] = ArrayData::fromDoubles({std::uint64_t(I), n}, importance.data());
        std::vector<const Eigen::MatrixXf*> W, D;
        std::vector<const Eigen::VectorXf*> b;
        for (int i = 0; i < I; ++i) {
            W.push_back(&result->model.instance(i).W);
            D.push_back(&result->model.instance(i).decoder);
            b.push_back(&result->model.instance(i).b);
        }
        state.arrays["W"] = stack(W, config.hidden, config.features);
        state.arrays["b"] = stackVectors(b, config.features);
        if (!config.tied())
            state.arrays["decoder"] = stack(D, config.hidden, config.features);
        std::vector<float> loss;
        json lengths = json::array();
        for (const auto& history : result->lossHistory) {
            loss.insert(loss.end(), history.begin(), history.end());
            lengths.push_back(history.size());
        }
        r["loss_lengths"] = lengths;
        state.arrays["loss"] = ArrayData::fromFloats({loss.size()}, loss.data());
        state.arrays["final_loss"] = ArrayData::fromDoubles({result->finalLoss.size()}, result->finalLoss.data());
        r["restart_chosen"] = result->restartChosen;
        json steps = json::array();
        std::vector<const Eigen::MatrixXf*> sW, sD;
        std::vector<const Eigen::VectorXf*> sb;
        for (const auto& snapshot : result->snapshots) {
            if (int(snapshot.instances.size()) != I)
                continue;
            steps.push_back(snapshot.step);
            for (const auto& inst : snapshot.instances) {
                sW.push_back(&inst.W);
                sD.push_back(&inst.decoder);
                sb.push_back(&inst.b);
            }
        }
        r["snapshot_steps"] = steps;
        if (!steps.empty()) {
            const std::uint64_t S = steps.size();
            auto reshape = [&](ArrayData a, ArrayData::Shape shape) {
                return ArrayData(a.dtype(), std::move(shape), std::vector<std::uint8_t>(a.data(), a.data() + a.byteSize()));
            };
            const auto m = std::uint64_t(config.hidden);
            state.arrays["snapshot_W"] = reshape(stack(sW, config.hidden, config.features), {S, std::uint64_t(I), m, n});
            state.arrays["snapshot_b"] = reshape(stackVectors(sb, config.features), {S, std::uint64_t(I), n});
            if (!config.tied())
                state.arrays["snapshot_decoder"] =
                    reshape(stack(sD, config.hidden, config.features), {S, std::uint64_t(I), m, n});
        }
        settings["result"] = std::move(r);
    }
    state.settings = std::move(settings);
}

void SuperpositionPanel::restoreState(const featurescope::PanelState& state)
{
    // Validate everything first: nothing changes unless the whole state is usable.
    const std::string where = "superposition panel";
    const featurescope::SettingsReader r(state.settings, where);
    m_controls->validateSettings(r.raw("controls"), where + ".controls");
    const auto view = r.object("view");
    const int tab = int(view.integer("tab", 0, m_tabs->count() - 1));
    int feature = int(view.integer("selected_feature", -1, 5000));
    int instance = int(view.integer("selected_instance", 0, 4096));
    int snapshot = int(view.integer("snapshot", -1, 100000));
    const auto phase = r.object("phase");
    const int phaseFeatures = int(phase.integer("features", 2, 3));
    const int phaseGrid = int(phase.integer("grid", m_phaseGrid->minimum(), m_phaseGrid->maximum()));
    const int phaseSteps = int(phase.integer("steps", m_phaseSteps->minimum(), m_phaseSteps->maximum()));
    std::optional<featurescope::PhaseDiagramResult> phaseResult;
    if (phase.has("result") && !phase.raw("result").is_null())
        phaseResult = readPhaseResult(phase.object("result"));
    m_scaleLab->validateSettings(r.raw("scale_lab"), where + ".scale_lab");
    std::shared_ptr<const featurescope::ToyTrainingResult> result;
    if (!r.raw("result").is_null()) {
        result = readResult(state, r.raw("result"), where + ".result");
        if (feature >= result->model.config().features)
            throw InputError(where + ": the selected feature " + std::to_string(feature) + " does not exist");
        if (instance >= result->model.instanceCount())
            throw InputError(where + ": the selected instance " + std::to_string(instance) + " does not exist");
        if (snapshot >= int(result->snapshots.size()))
            throw InputError(where + ": the time slider's snapshot " + std::to_string(snapshot) + " does not exist");
    }

    // Apply: stop any training first so no late update overwrites the restored weights.
    stopTrainingNow();
    m_controls->applySettings(r.raw("controls"));
    m_controls->setState(ToyControlsWidget::State::Idle);
    m_phaseFeatures->setCurrentIndex(m_phaseFeatures->findData(phaseFeatures));
    m_phaseGrid->setValue(phaseGrid);
    m_phaseSteps->setValue(phaseSteps);
    if (phaseResult) {
        showPhaseDiagram(*phaseResult);
    } else if (m_phaseResult && !m_phaseWatcher.isRunning()) {
        m_phaseResult.reset();
        m_phase->clear();
        m_phaseReading->clear();
    }
    m_scaleLab->applySettings(r.raw("scale_lab"));
    m_result = result;
    if (!result) {
        m_selectedFeature = feature;
        m_selectedInstance = instance;
        m_snapshotIndex = -1;
        const QSignalBlocker blocker(m_tabs);
        m_tabs->setCurrentIndex(tab);
        if (m_started)
            startTraining(); // a session without weights (an old version) trains from its seed
        return;
    }
    m_started = true; // the restored weights are shown as they are: nothing trains
    m_selectedFeature = feature;
    m_selectedInstance = instance;
    m_snapshotIndex = snapshot;
    {
        const QSignalBlocker blocker(m_tabs);
        m_tabs->setCurrentIndex(tab);
    }
    refreshInstanceChoices();
    {
        const QSignalBlocker blocker(m_instanceChoice);
        m_instanceChoice->setCurrentIndex(instance);
    }
    {
        const QSignalBlocker blocker(m_timeSlider);
        m_timeSlider->setRange(0, std::max(0, int(result->snapshots.size()) - 1));
        m_timeSlider->setValue(snapshot < 0 ? m_timeSlider->maximum() : snapshot);
    }
    m_timeLabel->setText(snapshot < 0 ? tr("live (step %1)").arg(result->stepsDone)
                                      : tr("step %1").arg(result->snapshots[std::size_t(snapshot)].step));
    m_controls->setStatus(tr("Restored from the session: step %1 of %2").arg(result->stepsDone).arg(result->training.steps));
    refreshCurrentView();
    setSelectedFeature(feature); // pushes the selection into every view and the summary
}

void SuperpositionPanel::stopTrainingNow()
{
    m_retrainTimer.stop();
    m_redrawTimer.stop();
    m_worker->stop();
    m_worker->waitForFinished();
    // Deliver the stopped run's queued updates now, before the restored state replaces them.
    QCoreApplication::sendPostedEvents(m_worker);
    QCoreApplication::sendPostedEvents(this);
    QCoreApplication::sendPostedEvents();
}

QString SuperpositionPanel::figureCaption(const QString& figure) const
{
    if (m_scaleLab->figureNames().contains(figure))
        return tr("Scale-invariance lab: %1; W \u2192 cW at c = %2.")
            .arg(m_scaleLab->modelDescription().isEmpty() ? tr("model not computed yet") : m_scaleLab->modelDescription())
            .arg(m_scaleLab->scale(), 0, 'g', 3);
    const featurescope::ToyModelConfig config = m_result ? m_result->model.config() : m_controls->modelConfig();
    const featurescope::TrainingConfig training = m_result ? m_result->training : m_controls->trainingConfig();
    if (figure == QLatin1String("phase-diagram"))
        return tr("Phase diagram, n = %1, m = %2 (one extra feature), %3 \u00d7 %3 grid, %4 steps per cell, best of 2 "
                  "restarts, batch %5, lr %6, seed %7.")
            .arg(m_phaseFeatures->currentData().toInt())
            .arg(m_phaseFeatures->currentData().toInt() - 1)
            .arg(m_phaseGrid->value())
            .arg(m_phaseSteps->value())
            .arg(training.batch)
            .arg(training.learningRate, 0, 'g', 3)
            .arg(training.seed);
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
                        .arg(m_result && m_result->stepsDone != training.steps
                                 ? tr(" (%1 done)").arg(m_result->stepsDone) : QString())
                        .arg(training.batch)
                        .arg(training.learningRate, 0, 'g', 3)
                        .arg(training.seed)
                        .arg(training.restarts > 1 ? tr(", best of %1 restarts").arg(training.restarts) : QString());
    const bool oneInstance = figure == QLatin1String("gram-heatmap") || figure == QLatin1String("neuron-bars");
    if (oneInstance && m_result)
        line2 += tr("; instance %1").arg(instanceTitles().value(m_selectedInstance));
    if (m_snapshotIndex >= 0 && m_result && std::size_t(m_snapshotIndex) < m_result->snapshots.size() &&
        figure != QLatin1String("loss"))
        line2 += tr("; weights at step %1").arg(m_result->snapshots[std::size_t(m_snapshotIndex)].step);
    return line1 + QLatin1Char('\n') + line2 + QLatin1Char('.');
}
