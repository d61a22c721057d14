#include "FeatureActivationsPanel.h"

#include "FeatureDensityHistogram.h"
#include "experiments/SaeRunState.h"
#include "common/ControlsScrollArea.h"
#include "ControlView.h"
#include "FeatureControlsWidget.h"
#include "FeatureDetailView.h"
#include "FeatureFilterProxyModel.h"
#include "FeatureTableModel.h"
#include "common/TableHeaderFit.h"
#include "MetricsStrip.h"
#include "SaeStudiesView.h"
#include "panels/lm/LmFeaturesView.h"
#include "FeatureSessionState.h"

#include "common/InputError.h"
#include "mlp/ImageDataset.h"
#include "sae/ActivationImport.h"
#include "sae/ImportedSae.h"
#include "session/PanelState.h"
#include "plots/FeaturePalette.h"
#include "plots/HistogramPlot.h"
#include "plots/LossCurvePlot.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

using featurescope::SaeExperimentConfig;

namespace {

const QStringList kFigures = QStringList{QStringLiteral("density-histogram"), QStringLiteral("feature-table"),
                           QStringLiteral("feature-view"),      QStringLiteral("feature-activations"),
                           QStringLiteral("top-examples"),      QStringLiteral("quantile-examples"),
                           QStringLiteral("mean-input"),        QStringLiteral("training-loss"),
                           QStringLiteral("control"),           QStringLiteral("control-purity"),
                           QStringLiteral("control-coherence"), QStringLiteral("control-density")} +
                           SaeStudiesView::figureNames();
enum Tab { DictionaryTab, ControlTab, TrainingTab, LanguageModelTab, StudiesTab };
} // namespace

FeatureActivationsPanel::FeatureActivationsPanel(QWidget* parent) : Panel(parent)
{
    m_controls = new FeatureControlsWidget(this);
    auto* controlsScroll = new ControlsScrollArea(m_controls, 44, this);

    m_metrics = new MetricsStrip(this);
    m_tabs = new QTabWidget(this);
    m_dictionaryTab = buildDictionaryTab();
    m_tabs->addTab(m_dictionaryTab, tr("Dictionary"));
    m_tabs->setTabToolTip(DictionaryTab, tr("The SAE's features: density histogram, sortable table, and the selected "
                                            "feature's examples"));
    m_control = new ControlView(this);
    m_tabs->addTab(m_control, tr("Randomized control"));
    m_tabs->setTabToolTip(ControlTab, tr("The same SAE on the trained MLP and on its shuffled-weights copy"));
    m_loss = new LossCurvePlot(this);
    m_loss->setToolTip(tr("SAE loss (MSE + penalty) and reconstruction MSE per training step, in the SAE's scaled "
                          "units"));
    m_tabs->addTab(m_loss, tr("Training"));
    m_tabs->setTabToolTip(TrainingTab, tr("Loss curves of the SAE"));
    m_lm = new LmFeaturesView(this);
    m_tabs->addTab(m_lm, tr("Language model"));
    m_tabs->setTabToolTip(LanguageModelTab, tr("Dashboards, prompts and steering for an SAE on a language model's hook"));
    m_studies = new SaeStudiesView(this);
    m_studies->setBaseConfig([this] { return m_controls->config(); });
    m_tabs->addTab(m_studies, tr("Studies"));
    m_tabs->setTabToolTip(StudiesTab, tr("Many SAEs at once: recipe sweeps, feature splitting, ground-truth recovery"));

    auto* views = new QWidget(this);
    auto* viewsLayout = new QVBoxLayout(views);
    viewsLayout->setContentsMargins(0, 0, 0, 0);
    viewsLayout->setSpacing(2);
    viewsLayout->addWidget(m_metrics);
    viewsLayout->addWidget(m_tabs, 1);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(controlsScroll);
    layout->addWidget(views, 1);

    m_worker = new SaeTrainingWorker(this);
    connect(m_worker, &SaeTrainingWorker::updated, this, &FeatureActivationsPanel::onSnapshot);
    connect(m_worker, &SaeTrainingWorker::progress, this, [this](double fraction, const QString& message) {
        m_controls->setStatus(message);
        if (m_controlRunning)
            m_control->setMessage(message.toHtmlEscaped());
        Q_EMIT workProgress(fraction, message);
    });
    connect(m_worker, &SaeTrainingWorker::controlReady, this, [this](const SaeTrainingWorker::Control& control) {
        m_control->setComparison(control);
    });
    connect(m_worker, &SaeTrainingWorker::finished, this, &FeatureActivationsPanel::onJobFinished);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this, controlsScroll](int index) {
        if (index == TrainingTab)
            refreshLossPlot();
        controlsScroll->setVisible(index != LanguageModelTab); // the LM tab brings its own source controls
        m_metrics->setVisible(index != LanguageModelTab);
    });
    connect(m_controls, &FeatureControlsWidget::trainRequested, this, &FeatureActivationsPanel::startTraining);
    connect(m_controls, &FeatureControlsWidget::stopRequested, this, &FeatureActivationsPanel::cancelWork);
    connect(m_control, &ControlView::runRequested, this, &FeatureActivationsPanel::startControl);
    connect(m_detail, &FeatureDetailView::featureClicked, this, [this](int feature) {
        m_userSelected = true;
        setSelectedFeature(feature);
    });
    connect(m_density, &HistogramPlot::binClicked, this, [this](int bin, double) {
        if (const int next = m_density->nextFeatureInBin(bin, m_selected); next >= 0) {
            m_userSelected = true;
            setSelectedFeature(next);
        }
    });
}

// The worker is a child: it abandons its job as it is destroyed, so no snapshot reaches this half-destroyed panel.
FeatureActivationsPanel::~FeatureActivationsPanel() = default;

QWidget* FeatureActivationsPanel::buildDictionaryTab()
{
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(3);
    m_density = new FeatureDensityHistogram(left);
    m_search = new QLineEdit(left);
    m_search->setObjectName(QStringLiteral("featureSearch"));
    m_search->setPlaceholderText(tr("Filter: 17, 10-20, dead, density>0.01, purity>0.8, cos>0.9 …"));
    m_search->setToolTip(FeatureFilterProxyModel::syntaxHelp());
    m_search->setClearButtonEnabled(true);
    m_searchNote = new QLabel(left);
    m_searchNote->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_searchNote->setToolTip(tr("How many features pass the filter"));
    auto* searchRow = new QHBoxLayout;
    searchRow->addWidget(m_search, 1);
    searchRow->addWidget(m_searchNote);

    m_model = new FeatureTableModel(this);
    m_proxy = new FeatureFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_table = new QTableView(left);
    m_table->setObjectName(QStringLiteral("featureTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(FeatureTableModel::Density, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(20);
    TableHeaderFit::install(m_table, {FeatureTableModel::Index}); // every title whole ("Coherence", "True match")
    m_table->setAlternatingRowColors(true);
    m_table->setToolTip(tr("Every SAE feature; click a header to sort, type in the filter box to search, select a row "
                           "to inspect the feature"));
    leftLayout->addWidget(m_density, 2);
    leftLayout->addLayout(searchRow);
    leftLayout->addWidget(m_table, 3);

    m_detail = new FeatureDetailView(splitter);
    m_detail->setObjectName(QStringLiteral("featureView"));
    splitter->addWidget(left);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 6);
    splitter->setSizes({400, 600}); // proportions: the splitter scales them to its width
    splitter->setChildrenCollapsible(false);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (m_syncing || !current.isValid())
                    return;
                const QModelIndex source = m_proxy->mapToSource(current);
                if (source.isValid()) {
                    m_userSelected = true;
                    setSelectedFeature(source.row());
                }
            });
    auto updateSearchNote = [this] {
        const QString error = m_proxy->queryError();
        m_searchNote->setText(error.isEmpty() ? tr("%1 of %2").arg(m_proxy->rowCount()).arg(m_model->rowCount())
                                              : error);
        m_searchNote->setStyleSheet(error.isEmpty() ? QStringLiteral("color: palette(mid);")
                                                    : QStringLiteral("color: #c0392b;"));
    };
    connect(m_search, &QLineEdit::textChanged, this, [this, updateSearchNote](const QString& text) {
        m_proxy->setQuery(text);
        updateSearchNote();
        applySelection();
    });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, updateSearchNote);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, updateSearchNote);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, updateSearchNote);
    return splitter;
}

QStringList FeatureActivationsPanel::figureNames() const { return kFigures + LmFeaturesView::figureNames(); }

QWidget* FeatureActivationsPanel::figureWidget(const QString& name)
{
    // No tab changes here: the export dialog and session restore ask for every figure, and the panel must stay on
    // the tab the user chose (it once opened on the empty control tab). A headless render switches tabs in
    // prepareFigureForRender.
    if (LmFeaturesView::figureNames().contains(name))
        return m_lm->figureWidget(name);
    if (name == QLatin1String("training-loss")) {
        refreshLossPlot(); // drawn on demand when its tab opens; an export needs it current now
        return m_loss;
    }
    if (name.startsWith(QLatin1String("control"))) {
        if (name == QLatin1String("control")) {
            auto* copy = new ControlView;
            copy->setComparison(m_control->comparison() ? std::make_shared<featurescope::ControlComparison>(*m_control->comparison())
                                                        : nullptr);
            copy->runButton()->hide();
            m_exportCopy.reset(copy);
            return copy;
        }
        if (name == QLatin1String("control-purity"))
            return m_control->purityPlot();
        if (name == QLatin1String("control-coherence"))
            return m_control->coherencePlot();
        if (name == QLatin1String("control-density"))
            return m_control->densityPlot();
        return nullptr;
    }
    if (SaeStudiesView::figureNames().contains(name))
        return m_studies->figureWidget(name);
    // Plots export themselves at any size; composite widgets are exported through a parentless copy, which the
    // exporter can lay out at the requested size (a widget inside the panel's layout keeps the layout's size).
    QWidget* widget = nullptr;
    auto keep = [this](QWidget* copy) {
        m_exportCopy.reset(copy);
        return copy;
    };
    if (name == QLatin1String("density-histogram")) {
        widget = m_density;
    } else if (name == QLatin1String("feature-table")) {
        auto* table = new QTableView;
        table->setModel(m_proxy);
        table->verticalHeader()->setVisible(false);
        table->verticalHeader()->setDefaultSectionSize(20);
        table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
        table->horizontalHeader()->setSectionResizeMode(FeatureTableModel::Index, QHeaderView::ResizeToContents);
        table->setAlternatingRowColors(true);
        table->setSelectionBehavior(QAbstractItemView::SelectRows);
        for (int c = 0; c < FeatureTableModel::ColumnCount; ++c)
            table->setColumnHidden(c, m_table->isColumnHidden(c));
        table->horizontalHeader()->setSortIndicator(m_table->horizontalHeader()->sortIndicatorSection(),
                                                    m_table->horizontalHeader()->sortIndicatorOrder());
        table->horizontalHeader()->setSortIndicatorShown(true);
        table->selectRow(m_table->selectionModel()->currentIndex().row());
        widget = keep(table);
    } else if (name == QLatin1String("feature-view")) {
        auto* view = new FeatureDetailView;
        view->setFeature(m_snapshot, m_selected);
        widget = keep(view);
    } else if (name == QLatin1String("feature-activations")) {
        widget = m_detail->activationPlot();
    } else if (name == QLatin1String("top-examples")) {
        widget = keep(m_detail->createFigure(FeatureDetailView::Part::TopExamples));
    } else if (name == QLatin1String("quantile-examples")) {
        widget = keep(m_detail->createFigure(FeatureDetailView::Part::Quantiles));
    } else if (name == QLatin1String("mean-input")) {
        QWidget* copy = m_detail->createFigure(FeatureDetailView::Part::MeanInput);
        widget = copy ? keep(copy) : m_detail->meanInputWidget();
    }
    return widget;
}

void FeatureActivationsPanel::prepareForRender()
{
    m_started = true;
    const bool languageModel = m_tabs->currentIndex() == LanguageModelTab; // a session saved on that tab draws it
    // A restored session is evaluated in the background: wait for that result instead of training a new SAE (a
    // headless render once retrained and selected another feature than the one saved). Unconditionally:
    // isRunning() turns false when the work ends, before its result is delivered here.
    waitForTraining();
    if (!m_snapshot || !m_snapshot->final) {
        // Render needs no data set: fall back to the synthetic source when the image folder is missing.
        auto config = m_controls->config();
        if (config.source == SaeExperimentConfig::Source::FashionMnist) {
            try {
                config.validate();
            } catch (const featurescope::InputError&) {
                m_controls->setSource(SaeExperimentConfig::Source::Synthetic);
            }
        }
        startTraining();
        waitForTraining();
    }
    if (languageModel)
        m_lm->waitForScan();
    m_tabs->setCurrentIndex(languageModel ? LanguageModelTab : DictionaryTab);
}

void FeatureActivationsPanel::showLanguageModelTab() { m_tabs->setCurrentIndex(LanguageModelTab); }

void FeatureActivationsPanel::prepareFigureForRender(const QString& figure)
{
    if (LmFeaturesView::figureNames().contains(figure)) {
        m_tabs->setCurrentIndex(LanguageModelTab);
        return m_lm->prepareForRender(figure);
    }
    if (SaeStudiesView::figureNames().contains(figure)) {
        m_tabs->setCurrentIndex(StudiesTab);
        return m_studies->prepareForRender(figure);
    }
    if (figure.startsWith(QLatin1String("control"))) {
        m_tabs->setCurrentIndex(ControlTab);
        m_started = true;
        if (m_control->comparison()) { // restored from a session: drawn as saved, not run again
            waitForTraining(); // the restored SAE's evaluation (returns at once when nothing is pending)
            return;
        }
        const std::string dir = m_controls->config().dataDirectory;
        if (featurescope::ImageDataset::hasSplit(dir, "train") && featurescope::ImageDataset::hasSplit(dir, "t10k")) {
            startControl();
            waitForTraining();
        } else {
            m_control->setMessage(tr("<span style='color:#c0392b'>The control needs the Fashion-MNIST IDX files "
                                     "(Debian package dataset-fashion-mnist) in %1</span>")
                                      .arg(QString::fromStdString(dir).toHtmlEscaped()));
        }
        return;
    }
    prepareForRender();
    m_tabs->setCurrentIndex(figure == QLatin1String("training-loss") ? TrainingTab : DictionaryTab);
}

bool FeatureActivationsPanel::isBusy() const { return m_worker->isRunning() || m_lm->isBusy() || m_studies->isBusy(); }

void FeatureActivationsPanel::cancelWork()
{
    m_worker->stop();
    m_studies->cancel();
}

void FeatureActivationsPanel::showEvent(QShowEvent* event)
{
    Panel::showEvent(event);
    // The default (synthetic) configuration trains in about a second: start it the first time the panel appears.
    if (!m_started && !testAttribute(Qt::WA_DontShowOnScreen)) {
        m_started = true;
        startTraining();
    }
}

void FeatureActivationsPanel::startTraining()
{
    m_started = true;
    const SaeExperimentConfig config = m_controls->config();
    try {
        m_worker->train(config);
    } catch (const featurescope::InputError& error) {
        m_controls->setError(QString::fromStdString(error.what()));
        return;
    }
    if (m_controlRunning)
        m_control->setMessage(tr("Control stopped: an SAE training started instead."));
    m_controlRunning = false;
    m_control->setRunning(true);
    m_controls->setRunning(true);
    m_controls->setStatus(tr("Training…"));
    Q_EMIT workStarted(tr("Training sparse autoencoder"));
}

void FeatureActivationsPanel::startControl()
{
    m_started = true;
    if (m_controls->source() != SaeExperimentConfig::Source::FashionMnist)
        m_controls->setSource(SaeExperimentConfig::Source::FashionMnist); // its default SAE settings, too
    try {
        m_worker->runControl(m_controls->config());
    } catch (const featurescope::InputError& error) {
        const QString text = QString::fromStdString(error.what());
        m_controls->setError(text);
        m_control->setMessage(QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(text.toHtmlEscaped()));
        return;
    }
    m_controlRunning = true;
    m_control->setRunning(true);
    m_controls->setRunning(true);
    m_control->setMessage(tr("Training the MLP, its shuffled copy's SAE and the trained one's SAE…"));
    Q_EMIT workStarted(tr("Running the randomized-weights control"));
}

// The worker's waitForFinished delivers the run's snapshots and its finished signal.
void FeatureActivationsPanel::waitForTraining() { m_worker->waitForFinished(); }

void FeatureActivationsPanel::onJobFinished(const QString& message, bool ok)
{
    m_controls->setRunning(false);
    m_control->setRunning(false);
    if (ok)
        m_controls->setStatus(message);
    else
        m_controls->setError(message);
    if (m_controlRunning) {
        m_control->setMessage(ok ? message.toHtmlEscaped()
                                 : QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(message.toHtmlEscaped()));
        m_controlRunning = false;
    }
    Q_EMIT workFinished(message);
}

void FeatureActivationsPanel::onSnapshot(const SaeTrainingWorker::Snapshot& snapshot)
{
    if (!snapshot || snapshot->runId != m_worker->runId())
        return; // a late update of an earlier run
    const bool newRun = !m_snapshot || m_snapshot->runId != snapshot->runId;
    m_snapshot = snapshot;
    m_metrics->setSnapshot(*snapshot);
    m_table->setColumnHidden(FeatureTableModel::Purity, !snapshot->hasLabels());
    m_table->setColumnHidden(FeatureTableModel::BestMatch, !snapshot->hasGroundTruth());
    {
        const bool syncing = m_syncing;
        m_syncing = true;
        m_model->setSnapshot(snapshot);
        m_syncing = syncing;
    }
    if (newRun) {
        m_userSelected = false;
        if (m_selected >= snapshot->latentDim())
            m_selected = -1;
    }
    if (snapshot->runId == m_restoredRun && m_restoredSelection < snapshot->latentDim()) {
        m_selected = m_restoredSelection; // a restored session shows the feature it was saved with
        m_userSelected = m_selected >= 0;
        m_restoredRun = -1;
    }
    if (m_selected < 0 || (!m_userSelected && (newRun || snapshot->final)))
        m_selected = snapshot->representativeFeature();
    m_density->setSnapshot(snapshot);
    m_studies->setPanelSnapshot(snapshot); // the ground-truth view takes final ones
    applySelection();
    // The loss curves redraw live only while their tab is shown (and once at the end).
    if (snapshot->final || m_tabs->currentIndex() == TrainingTab)
        refreshLossPlot();
}

void FeatureActivationsPanel::refreshLossPlot()
{
    if (m_snapshot)
        m_loss->setHistories({m_snapshot->lossHistory, m_snapshot->mseHistory}, {tr("loss"), tr("MSE")});
}

void FeatureActivationsPanel::setSelectedFeature(int feature)
{
    m_selected = feature;
    applySelection();
}

void FeatureActivationsPanel::applySelection()
{
    const bool valid = m_snapshot && m_selected >= 0 && m_selected < m_snapshot->latentDim();
    // Table: select the row (if it passes the filter) without treating it as a user selection.
    {
        const bool syncing = m_syncing;
        m_syncing = true;
        if (valid) {
            const QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->index(m_selected, 0));
            if (proxyIndex.isValid()) {
                if (m_table->selectionModel()->currentIndex().row() != proxyIndex.row() ||
                    !m_table->selectionModel()->isRowSelected(proxyIndex.row(), QModelIndex())) {
                    m_table->selectionModel()->setCurrentIndex(
                        proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
                }
                m_table->scrollTo(proxyIndex, QAbstractItemView::EnsureVisible);
            } else {
                m_table->selectionModel()->clearSelection();
            }
        } else {
            m_table->selectionModel()->clearSelection();
        }
        m_syncing = syncing;
    }
    m_density->markFeature(valid ? m_selected : -1);
    m_detail->setFeature(m_snapshot, valid ? m_selected : -1);
}

// ---- files ------------------------------------------------------------------------------------------------------

void FeatureActivationsPanel::importActivations(std::shared_ptr<const featurescope::ImportedActivations> activations)
{
    if (!activations || activations->set.activations.size() == 0)
        throw featurescope::InputError("no activations to import");
    SaeExperimentConfig config = m_controls->config();
    config.source = SaeExperimentConfig::Source::File;
    config.imported = activations;
    const auto d = SaeExperimentConfig::defaultsFor(config.source, 0);
    config.sae.latentDim = d.latents;
    config.sae.l1 = SaeExperimentConfig::defaultL1(config.source, config.sae.variant);
    config.sae.normalizeInputs = d.normalize;
    config.training.steps = d.steps;
    config.training.batch = d.batch;
    config.training.learningRate = d.learningRate;
    config.validate(); // before anything changes
    m_controls->setConfig(config);
    startTraining();
}

void FeatureActivationsPanel::openSae(const featurescope::ImportedSae& imported, const QString& origin)
{
    std::string reason;
    const auto sae = imported.toSparseAutoencoder(&reason);
    if (!sae)
        throw featurescope::InputError(origin.toStdString() + ": the feature browser cannot run this SAE (" + reason + ")");
    SaeExperimentConfig config = m_controls->config();
    if (sae->inputDim() != config.inputDimension())
        throw featurescope::InputError(origin.toStdString() + ": the SAE reads d_in = " + std::to_string(sae->inputDim()) +
                                       " but the current activations (" +
                                       SaeExperimentConfig::sourceName(config.source) + ") have d = " +
                                       std::to_string(config.inputDimension()) +
                                       ": open activations of that width first (File > Open Activations…)");
    config.sae.variant = sae->config().variant;
    config.sae.latentDim = sae->latentDim();
    config.sae.k = sae->config().k;
    config.sae.l1 = sae->config().l1;
    config.sae.normalizeInputs = sae->config().normalizeInputs;
    SaeTrainingWorker::Restored restored;
    restored.sae = std::make_shared<featurescope::SparseAutoencoder>(*sae);
    restored.origin = origin;
    m_worker->evaluate(config, std::move(restored)); // validates, throws before anything changes
    m_controls->setConfig(config);
    m_started = true;
    m_controls->setRunning(true);
    m_controls->setStatus(tr("Evaluating %1…").arg(origin));
    Q_EMIT workStarted(tr("Evaluating %1").arg(origin));
}

bool FeatureActivationsPanel::hasModel() const { return m_snapshot && m_snapshot->sae; }

void FeatureActivationsPanel::exportModel(const QString& directory) const
{
    if (!hasModel())
        throw featurescope::InputError("there is no SAE to export yet: train one first");
    FeatureSessionState::exportSae(*m_snapshot, directory.toStdString());
}

// ---- sessions ---------------------------------------------------------------------------------------------------

namespace {
constexpr int kStateVersion = 1;
} // namespace

void FeatureActivationsPanel::saveState(featurescope::PanelState& state) const
{
    using nlohmann::json;
    // The settings that made the SAE on screen (the controls may have been edited since); the controls otherwise.
    const SaeExperimentConfig config = m_snapshot ? m_snapshot->config : m_controls->config();
    json& j = state.settings;
    j = json::object();
    j["version"] = kStateVersion;
    j["config"] = FeatureSessionState::toJson(config);
    j["selected_feature"] = m_selected;
    j["filter"] = m_search->text().toStdString();
    j["tab"] = m_tabs->currentIndex();
    j["sort_column"] = m_table->horizontalHeader()->sortIndicatorSection();
    j["sort_descending"] = m_table->horizontalHeader()->sortIndicatorOrder() == Qt::DescendingOrder;
    j["lm"] = m_lm->saveState();
    j["studies"] = m_studies->saveState();
    state.arrays.clear();
    if (const auto* control = m_control->comparison())
        j["control"] = *control;
    if (!m_snapshot || !m_snapshot->sae || !m_snapshot->final)
        return; // nothing trained (or still training): the settings alone, the session retrains
    const FeatureSnapshot& s = *m_snapshot;
    featurescope::SaeRunState run;
    run.sae = std::make_shared<featurescope::SparseAutoencoder>(*s.sae);
    run.lossHistory = s.lossHistory;
    run.mseHistory = s.mseHistory;
    run.activity = s.activity;
    run.step = s.step;
    run.totalSteps = s.totalSteps;
    run.stepsPerSecond = s.stepsPerSecond;
    run.status = s.statusMessage.toStdString();
    run.origin = s.origin.toStdString();
    j["trained"] = run.write(state.arrays);
}

void FeatureActivationsPanel::preloadState(const featurescope::PanelState& state) const
{
    const auto config = state.settings.find("config");
    if (state.settings.is_object() && config != state.settings.end())
        FeatureSessionState::preload(*config);
}

void FeatureActivationsPanel::restoreState(const featurescope::PanelState& state)
{
    using featurescope::InputError;
    using nlohmann::json;
    const json& j = state.settings;
    if (!j.is_object() || !j.contains("version") || !j["version"].is_number_integer())
        throw InputError("features panel state: no version");
    if (j["version"].get<int>() != kStateVersion)
        throw InputError("features panel state: version " + j["version"].dump() + " is not supported (expected " +
                         std::to_string(kStateVersion) + ")");
    auto integer = [&](const char* key, int min, int max) {
        const auto it = j.find(key);
        if (it == j.end() || !it->is_number_integer() || it->get<long long>() < min || it->get<long long>() > max)
            throw InputError(std::string("features panel state: ") + key + " is missing or out of range");
        return it->get<int>();
    };
    const auto configIt = j.find("config");
    if (configIt == j.end())
        throw InputError("features panel state: no config");
    SaeExperimentConfig config = FeatureSessionState::fromJson(*configIt); // re-reads an imported file
    const int selected = integer("selected_feature", -1, 65535);
    const int tab = integer("tab", 0, m_tabs->count() - 1);
    const int sortColumn = integer("sort_column", -1, FeatureTableModel::ColumnCount - 1);
    const auto filterIt = j.find("filter");
    if (filterIt == j.end() || !filterIt->is_string() || filterIt->get<std::string>().size() > 1000)
        throw InputError("features panel state: filter is missing or not a short string");
    const auto descendingIt = j.find("sort_descending");
    if (descendingIt == j.end() || !descendingIt->is_boolean())
        throw InputError("features panel state: sort_descending is missing");
    const LmFeaturesView::State lmState = LmFeaturesView::readState(j.value("lm", json()));
    const SaeStudiesView::State studies = SaeStudiesView::readState(j.value("studies", json()));

    SaeTrainingWorker::Restored restored;
    const auto trainedIt = j.find("trained");
    const bool trained = trainedIt != j.end();
    if (trained) {
        featurescope::SaeRunState run = featurescope::SaeRunState::read(*trainedIt, state.arrays, config);
        restored.sae = std::move(run.sae);
        restored.lossHistory = std::move(run.lossHistory);
        restored.mseHistory = std::move(run.mseHistory);
        restored.activity = std::move(run.activity);
        restored.step = run.step;
        restored.totalSteps = run.totalSteps;
        restored.stepsPerSecond = run.stepsPerSecond;
        restored.statusMessage = QString::fromStdString(run.status);
        restored.origin = QString::fromStdString(run.origin);
    }
    std::shared_ptr<const featurescope::ControlComparison> control;
    if (const auto controlIt = j.find("control"); controlIt != j.end() && !controlIt->is_null())
        control = std::make_shared<const featurescope::ControlComparison>(
            featurescope::controlComparisonFromJson(*controlIt, "features panel state: control"));

    // Everything checked: now change the panel.
    m_control->setComparison(control);
    if (trained)
        m_worker->evaluate(config, std::move(restored));
    m_controls->setConfig(config);
    {
        const bool syncing = m_syncing;
        m_syncing = true;
        m_search->setText(QString::fromStdString(filterIt->get<std::string>()));
        if (sortColumn >= 0)
            m_table->sortByColumn(sortColumn, descendingIt->get<bool>() ? Qt::DescendingOrder : Qt::AscendingOrder);
        m_syncing = syncing;
    }
    m_tabs->setCurrentIndex(tab);
    m_lm->restoreState(lmState);
    m_studies->restoreState(studies);
    m_started = true;
    if (trained) {
        m_restoredRun = m_worker->runId();
        m_restoredSelection = selected;
        m_controls->setRunning(true);
        m_controls->setStatus(tr("Restoring the saved SAE…"));
        Q_EMIT workStarted(tr("Restoring the sparse autoencoder"));
    } else {
        startTraining();
        m_restoredRun = m_worker->runId();
        m_restoredSelection = selected;
    }
}

// ---- captions ---------------------------------------------------------------------------------------------------

QString FeatureActivationsPanel::runCaption() const
{
    return m_snapshot ? m_snapshot->runCaption() : FeatureSnapshot::runCaption(m_controls->config(), nullptr);
}

QString FeatureActivationsPanel::figureCaption(const QString& figure) const
{
    if (LmFeaturesView::figureNames().contains(figure))
        return m_lm->figureCaption(figure);
    if (SaeStudiesView::figureNames().contains(figure))
        return m_studies->figureCaption(figure);
    if (figure.startsWith(QLatin1String("control")))
        return ControlView::caption(m_controls->config());
    QString caption = runCaption();
    const bool perFeature = figure == QLatin1String("feature-view") || figure == QLatin1String("feature-activations") ||
                            figure == QLatin1String("top-examples") || figure == QLatin1String("quantile-examples") ||
                            figure == QLatin1String("mean-input");
    if (perFeature && m_selected >= 0)
        caption = tr("Feature %1 · %2").arg(m_selected).arg(caption);
    return caption;
}
