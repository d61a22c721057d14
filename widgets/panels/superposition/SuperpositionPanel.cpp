#include "SuperpositionPanel.h"

#include "ScaleInvarianceLab.h"
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
#include "toy/SparsitySweep.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
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
    auto* controlsScroll = new QScrollArea(this);
    controlsScroll->setWidget(m_controls);
    controlsScroll->setWidgetResizable(true);
    controlsScroll->setMinimumWidth(300);
    controlsScroll->setMaximumWidth(380);
    controlsScroll->setFrameShape(QFrame::NoFrame);

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
    m_scaleLab = new ScaleInvarianceLab(this);
    m_tabs->addTab(m_scaleLab, tr("Scale invariance"));
    m_tabs->setTabToolTip(m_tabs->count() - 1, tr("Is \"features per dimension\" scale invariant? Rescale W by c and "
                                                  "watch each measure"));
    connect(m_scaleLab, &ScaleInvarianceLab::workStarted, this, &Panel::workStarted);
    connect(m_scaleLab, &ScaleInvarianceLab::workProgress, this, &Panel::workProgress);
    connect(m_scaleLab, &ScaleInvarianceLab::workFinished, this, &Panel::workFinished);
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
        computePhaseDiagram();
        waitForPhaseDiagram();
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
        std::vector<std::vector<featurescope::GeometryComponent>> geometry;
        for (const auto& inst : instances) {
            W.push_back(inst.W);
            geometry.push_back(featurescope::findFeatureGeometry(inst.W));
        }
        m_arrows->setInstances(W, instanceTitles(), geometry);
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
        m_norms->setInstances(W, instanceTitles());
        m_norms->setSelectedFeature(m_selectedFeature);
        break;
    }
    case 3: {
        featurescope::ToyModel model = m_result->model;
        for (int i = 0; i < model.instanceCount(); ++i)
            model.instance(i) = instances[std::size_t(i)];
        const auto points = featurescope::SparsitySweep::summarise(model);
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
    const auto measures = featurescope::computeFeatureMeasures(W);
    QStringList kinds;
    for (const auto& c : featurescope::findFeatureGeometry(W))
        if (c.kind != "not learned")
            kinds << QString::fromStdString(c.kind);
    const double loss = m_result->lossHistory[std::size_t(i)].empty() ? 0.0 : m_result->lossHistory[std::size_t(i)].back();
    QString text = tr("step %1/%2 · loss %3 · features per dimension %4 · %5")
                       .arg(m_result->stepsDone)
                       .arg(m_result->training.steps)
                       .arg(loss, 0, 'g', 3)
                       .arg(measures.featuresPerDimension, 0, 'f', 2)
                       .arg(kinds.isEmpty() ? tr("nothing learned") : kinds.join(QStringLiteral(", ")));
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
