#include "SuperpositionPanel.h"
#include "ProjectionChooser.h"
#include "ToyRunSummary.h"

#include "PhaseDiagramTab.h"
#include "common/ControlsScrollArea.h"
#include "ScaleInvarianceTab.h"
#include "ToyControlsWidget.h"
#include "common/BackgroundJob.h"
#include "experiments/ToyRunState.h"
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
#include "plots/FeatureDimensionalityPlot.h"
#include "ToyFigureCaption.h"
#include "ToyViewState.h"
#include "session/PanelState.h"
#include "common/SettingsReader.h"
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

using featurescope::ToyInstance;
using featurescope::ToyModelKind;

namespace {
// Parameter changes retrain at once when the run is this cheap (weights x samples x steps); larger runs wait for Train.
constexpr double kAutoTrainBudget = 3e10;

// The view tabs in the order of ToyViewState::tabIds(), which names them in sessions.
enum Tab { GeometryTab, DimensionalityTab, GramTab, NormsTab, StickyTab, LossTab, NeuronsTab, PhasesTab, ScaleLabTab };
// Each figure and the tab it is drawn on.
const QStringList kFigures{QStringLiteral("feature-arrows"), QStringLiteral("feature-dimensionality"),
                           QStringLiteral("gram-heatmap"),   QStringLiteral("norm-bars"),
                           QStringLiteral("sticky-fraction"), QStringLiteral("loss"),
                           QStringLiteral("neuron-bars"),    QStringLiteral("phase-diagram")};
const Tab kFigureTabs[] = {GeometryTab, DimensionalityTab, GramTab, NormsTab, StickyTab, LossTab, NeuronsTab, PhasesTab};
// Above this many features the arrows are a dense star: a preset that large opens on the dimensionality glyphs.
constexpr int kManyFeatures = 60;
} // namespace

SuperpositionPanel::SuperpositionPanel(QWidget* parent) : Panel(parent)
{
    m_controls = new ToyControlsWidget(this);
    auto* controlsScroll = new ControlsScrollArea(m_controls, 42, this);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("superpositionSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long summary wraps instead of widening the window (which once grew from 1400 to 1749 px as it lengthened).
    m_summary->setWordWrap(true);
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_summary->setMinimumWidth(160);
    m_instanceChoice = new QComboBox(this);
    m_instanceChoice->setToolTip(tr("The instance shown in the WᵀW and neuron views"));
    m_instanceChoice->setMinimumContentsLength(18);
    auto* header = new QHBoxLayout;
    header->addWidget(m_summary, 1);
    header->addWidget(new QLabel(tr("Instance:"), this));
    header->addWidget(m_instanceChoice);

    m_tabs = new QTabWidget(this);
    m_tabs->addTab(buildGeometryTab(), tr("Geometry"));
    m_dimensionality = new FeatureDimensionalityPlot(this);
    m_dimensionality->setStripAxisLabel(
        tr("feature density 1\u2212S of each instance   (in a strip \u2016W\u1d62\u2016 grows to the right; dotted: 1)"));
    m_tabs->addTab(m_dimensionality, tr("D\u1d62"));
    m_heatmap = new GramHeatmapPlot(this);
    m_tabs->addTab(m_heatmap, tr("W\u1d40W and b"));
    m_norms = new NormBarsPlot(this);
    m_tabs->addTab(m_norms, tr("Norms"));
    m_sticky = new StickyFractionPlot(this);
    m_tabs->addTab(m_sticky, tr("Sticky"));
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
    m_phaseTab = new PhaseDiagramTab(this);
    m_tabs->addTab(m_phaseTab, tr("Phases"));
    // Short tab names so every tab shows at 1280 px without scroll arrows; the tooltips say the full name.
    for (int i = 0; i < m_tabs->count(); ++i)
        m_tabs->setTabToolTip(i, ToyViewState::tabToolTip(i));
    m_scaleLab = new ScaleInvarianceTab(this);
    m_tabs->addTab(m_scaleLab, tr("Scale lab"));
    m_tabs->setTabToolTip(m_tabs->count() - 1, ToyViewState::tabToolTip(m_tabs->count() - 1));
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
        const QString falling = m_result ? ToyRunSummary::lossStillFallingNote(*m_result) : QString();
        m_controls->setStatus(falling.isEmpty() ? message.toHtmlEscaped()
                                                : QStringLiteral("%1<br><span style='color:#b35900'>%2</span>")
                                                      .arg(message.toHtmlEscaped(), falling.toHtmlEscaped()));
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
    // A preset is a choice of experiment: it runs at once, however long it takes (with progress and Stop), so its
    // controls never sit beside the previous experiment's figures.
    connect(m_controls, &ToyControlsWidget::presetChosen, this, [this] {
        if (m_started)
            startTraining();
    });

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
    // A glyph or norm bar belongs to one instance: the summary follows the clicked one, not the Instance box's choice.
    auto selectInInstance = [this](int instance, int feature) {
        const bool sameInstance = instance == m_selectedInstance || instance < 0;
        if (!sameInstance)
            setSelectedInstance(instance);
        setSelectedFeature(sameInstance && feature == m_selectedFeature ? -1 : feature);
    };
    connect(m_dimensionality, &FeatureDimensionalityPlot::featureClicked, this, selectInInstance);
    connect(m_norms, &NormBarsPlot::barClicked, this, selectInInstance);
    connect(m_neurons, &NeuronBarsPlot::featureClicked, this, select);

    connect(m_phaseTab, &PhaseDiagramTab::computeRequested, this, &SuperpositionPanel::computePhaseDiagram);
    connect(m_phaseTab, &PhaseDiagramTab::workStarted, this, &Panel::workStarted);
    connect(m_phaseTab, &PhaseDiagramTab::workProgress, this, &Panel::workProgress);
    connect(m_phaseTab, &PhaseDiagramTab::workFinished, this, &Panel::workFinished);
}

// The toy-model worker and the phase-diagram and scale-lab tabs are children: each abandons its background job as
// it is destroyed, so no result reaches this half-destroyed panel.
SuperpositionPanel::~SuperpositionPanel() = default;

QWidget* SuperpositionPanel::buildGeometryTab()
{
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    m_arrows = new FeatureArrowsPlot(page);
    m_arrows->setObjectName(QStringLiteral("featureArrows"));
    m_timeSlider = new QSlider(Qt::Horizontal, page);
    m_timeSlider->setObjectName(QStringLiteral("replaySlider"));
    // One tick per stored snapshot: they are log-spaced in steps, so the slider moves by snapshot, not by step.
    m_timeSlider->setTickPosition(QSlider::TicksBelow);
    m_timeSlider->setTickInterval(1);
    m_timeSlider->setPageStep(1);
    m_timeSlider->setToolTip(tr("Replay training: drag to see the stored snapshots; the right end follows training live"));
    m_timeLabel = new QLabel(tr("live"), page);
    m_timeLabel->setMinimumWidth(120);
    auto* timeRow = new QHBoxLayout;
    timeRow->addWidget(new QLabel(tr("Training time:"), page));
    timeRow->addWidget(m_timeSlider, 1);
    timeRow->addWidget(m_timeLabel);
    m_projection = new ProjectionChooser(page);
    timeRow->addWidget(m_projection);
    connect(m_projection, &ProjectionChooser::changed, this, [this](int first, int second) {
        m_arrows->setProjectionDimensions(first, second);
        refreshCurrentView();
    });
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
        refreshSummary();
    });
    return page;
}

QStringList SuperpositionPanel::figureNames() const { return kFigures + m_scaleLab->figureNames(); }

QWidget* SuperpositionPanel::figureWidget(const QString& name)
{
    const int index = kFigures.indexOf(name);
    QWidget* widgets[] = {m_arrows, m_dimensionality, m_heatmap, m_norms, m_sticky, m_loss, m_neurons, m_phaseTab->plot()};
    if (index < 0)
        return m_scaleLab->figureWidget(name);
    // Exported figures must be drawn with current data even when their tab is hidden.
    const int previous = m_tabs->currentIndex();
    m_tabs->setCurrentIndex(kFigureTabs[index]);
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
        if (!m_phaseTab->hasResult()) { // a session that holds its phase diagram is drawn as saved
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

QStringList SuperpositionPanel::presetIds() const
{
    QStringList ids;
    for (const auto& preset : featurescope::ToyPreset::all())
        ids << QString::fromStdString(preset.id);
    return ids;
}

bool SuperpositionPanel::selectPreset(const QString& id)
{
    const int index = int(presetIds().indexOf(id));
    if (index < 0)
        return false;
    if (index == m_controls->presetIndex())
        m_controls->applyPreset(featurescope::ToyPreset::all()[std::size_t(index)]);
    else
        m_controls->setPresetIndex(index); // trains at once if the panel has started
    return true;
}

bool SuperpositionPanel::isBusy() const { return m_worker->isRunning() || m_phaseTab->isBusy(); }
// (the scale lab reports its own work through the forwarded signals)

void SuperpositionPanel::cancelWork()
{
    m_worker->stop();
    m_phaseTab->cancel();
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
    const auto model = m_controls->modelConfig();
    if (m_result && (m_result->model.config().features != model.features ||
                     m_result->model.config().hidden != model.hidden ||
                     m_result->model.instanceCount() != model.instances() || m_result->model.config().kind != model.kind))
        clearFigures(); // the previous run is another experiment: its figures must not stand beside these controls
    m_controls->setState(ToyControlsWidget::State::Running);
    m_controls->setStatus(tr("Training…"));
    Q_EMIT workStarted(tr("Training toy model"));
}

void SuperpositionPanel::clearFigures()
{
    m_result.reset();
    m_arrows->clear();
    m_heatmap->clear();
    m_dimensionality->clear();
    m_norms->clear();
    m_sticky->clear();
    m_loss->clear();
    m_neurons->clear();
    {
        const QSignalBlocker blocker(m_instanceChoice);
        m_instanceChoice->clear();
    }
    m_summary->setText(tr("Training a new model\u2026"));
}

void SuperpositionPanel::waitForTraining()
{
    m_worker->waitForFinished(); // delivers the run's last updates
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
        if (result->model.config().features > kManyFeatures && m_tabs->currentIndex() == GeometryTab)
            m_tabs->setCurrentIndex(DimensionalityTab); // hundreds of arrows are a hairball; the glyphs stay readable
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
    m_projection->setHiddenDimensions(m_result->model.config().hidden);
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
    return m_result ? ToyRunSummary::instanceTitles(*m_result) : QStringList();
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
    case GeometryTab: {
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
    case DimensionalityTab:
        refreshDimensionality(instances);
        break;
    case GramTab:
        m_heatmap->setMatrix(instances[std::size_t(selected)].W, instances[std::size_t(selected)].b);
        m_heatmap->setSelectedFeature(m_selectedFeature);
        break;
    case NormsTab: {
        std::vector<Eigen::MatrixXf> W;
        for (const auto& inst : instances)
            W.push_back(inst.W);
        m_norms->setInstances(W, instanceTitles(), showsLiveState() ? &m_result->measures : nullptr);
        m_norms->setSelectedFeature(m_selectedFeature);
        break;
    }
    case StickyTab: {
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
    case LossTab:
        m_loss->setHistories(m_result->lossHistory, instanceTitles());
        break;
    case NeuronsTab: {
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

void SuperpositionPanel::refreshDimensionality(const std::vector<ToyInstance>& instances)
{
    std::vector<featurescope::FeatureMeasures> measures;
    std::vector<std::vector<featurescope::GeometryComponent>> geometry;
    if (showsLiveState()) {
        measures = m_result->measures;
        geometry = m_result->geometry;
    } else { // a replayed snapshot is analysed here
        for (const auto& instance : instances) {
            measures.push_back(featurescope::computeFeatureMeasures(instance.W));
            geometry.push_back(featurescope::findFeatureGeometry(instance.W));
        }
    }
    QStringList labels;
    for (const auto& probability : m_result->model.config().featureProbability)
        labels << QString::number(probability.empty() ? 1.0 : probability.front(), 'g', 3);
    m_dimensionality->setInstances(measures, geometry, labels);
    m_dimensionality->setSelectedFeature(m_selectedFeature);
}

void SuperpositionPanel::refreshSummary()
{
    if (m_result)
        m_summary->setText(ToyRunSummary::text(*m_result, m_selectedInstance, m_snapshotIndex, m_selectedFeature));
}

void SuperpositionPanel::setSelectedFeature(int feature)
{
    m_selectedFeature = feature;
    m_arrows->setSelectedFeature(feature);
    m_heatmap->setSelectedFeature(feature);
    m_dimensionality->setSelectedFeature(feature);
    m_norms->setSelectedFeature(feature);
    m_neurons->setSelectedFeature(feature);
    refreshSummary();
}

void SuperpositionPanel::setSelectedInstance(int instance)
{
    m_instanceChoice->setCurrentIndex(instance);
}

void SuperpositionPanel::computePhaseDiagram() { m_phaseTab->compute(m_controls->trainingConfig()); }

void SuperpositionPanel::waitForPhaseDiagram() { m_phaseTab->waitForFinished(); }

// Sessions

void SuperpositionPanel::saveState(featurescope::PanelState& state) const
{
    nlohmann::json settings;
    settings["controls"] = m_controls->saveSettings();
    ToyViewState view;
    view.tab = m_tabs->currentIndex();
    view.feature = m_selectedFeature;
    view.instance = m_selectedInstance;
    view.snapshot = m_snapshotIndex;
    view.projectionFirst = m_projection->first();
    view.projectionSecond = m_projection->second();
    settings["view"] = view.write();
    settings["phase"] = m_phaseTab->saveState();
    settings["scale_lab"] = m_scaleLab->saveSettings();
    settings["result"] = nullptr;
    state.arrays.clear();
    if (const auto result = m_result)
        settings["result"] = featurescope::ToyRunState::write(*result, state.arrays);
    state.settings = std::move(settings);
}

void SuperpositionPanel::restoreState(const featurescope::PanelState& state)
{
    // Validate everything first: nothing changes unless the whole state is usable.
    const std::string where = "superposition panel";
    const featurescope::SettingsReader r(state.settings, where);
    m_controls->validateSettings(r.raw("controls"), where + ".controls");
    const ToyViewState view = ToyViewState::parse(r.object("view"), where + ".view");
    const int tab = view.tab, feature = view.feature, instance = view.instance, snapshot = view.snapshot;
    const auto phase = r.object("phase");
    const PhaseDiagramTab::State phaseState = m_phaseTab->parseState(phase);
    m_scaleLab->validateSettings(r.raw("scale_lab"), where + ".scale_lab");
    std::shared_ptr<const featurescope::ToyTrainingResult> result;
    if (!r.raw("result").is_null()) {
        result = featurescope::ToyRunState::read(r.raw("result"), state.arrays, where + ".result");
        view.checkFits(result->model.config().features, result->model.instanceCount(), int(result->snapshots.size()),
                       where);
    }

    // Apply: stop any training first so no late update overwrites the restored weights.
    stopTrainingNow();
    m_controls->applySettings(r.raw("controls"));
    m_controls->setState(ToyControlsWidget::State::Idle);
    m_phaseTab->applyState(phaseState);
    m_scaleLab->applySettings(r.raw("scale_lab"));
    m_result = result;
    if (result)
        m_projection->setHiddenDimensions(result->model.config().hidden);
    m_projection->setDimensions(view.projectionFirst, view.projectionSecond);
    m_arrows->setProjectionDimensions(m_projection->first(), m_projection->second());
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
    m_worker->waitForFinished(); // delivers the stopped run's queued updates before the restored state replaces them
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
        return m_phaseTab->caption(training);
    ToyFigureCaption::Shown shown;
    if (m_result) {
        shown.stepsDone = m_result->stepsDone;
        const bool oneInstance = figure == QLatin1String("gram-heatmap") || figure == QLatin1String("neuron-bars");
        if (oneInstance)
            shown.instanceTitle = instanceTitles().value(m_selectedInstance);
        if (m_snapshotIndex >= 0 && std::size_t(m_snapshotIndex) < m_result->snapshots.size())
            shown.snapshotStep = m_result->snapshots[std::size_t(m_snapshotIndex)].step;
    }
    return ToyFigureCaption::text(config, training, figure, shown);
}
