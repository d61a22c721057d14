#include "LmFeaturesView.h"

#include "LmControlPlot.h"
#include "LmFeatureCardView.h"
#include "LmFeatureFilterProxyModel.h"
#include "LmFeatureTableModel.h"
#include "common/TableHeaderFit.h"
#include "LmPromptView.h"
#include "LmSourceForm.h"
#include "LmSteeringView.h"
#include "common/BackgroundJob.h"
#include "common/CacheFolders.h"
#include "common/InputError.h"
#include "common/Panel.h"
#include "plots/HistogramPlot.h"
#include "LogitEffectsPlot.h"
#include "lm/TextCorpus.h"
#include "lmfeatures/DefaultLanguageModel.h"

#include <nlohmann/json.hpp>

#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QDir>
#include <QScrollArea>
#include <QThread>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

LmFeaturesView::LmFeaturesView(QWidget* parent) : QWidget(parent)
{
    m_form = new LmSourceForm(this);
    m_job = new BackgroundJob(tr("Scanning language-model features"), this);

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(3);
    m_search = new QLineEdit(left);
    m_search->setObjectName(QStringLiteral("lmFeatureSearch"));
    m_search->setPlaceholderText(tr("Search by token: \u201C the\u201D, \u201Clove\u201D, or a feature number"));
    m_search->setToolTip(tr("Keeps the features whose top examples contain this text at their strongest token, or "
                            "whose top logit tokens contain it. Typed as is: a leading space counts. A number keeps "
                            "that feature."));
    m_search->setClearButtonEnabled(true);
    m_searchNote = new QLabel(left);
    m_searchNote->setStyleSheet(QStringLiteral("color: palette(mid);"));
    auto* searchRow = new QHBoxLayout;
    searchRow->addWidget(m_search, 1);
    searchRow->addWidget(m_searchNote);

    m_model = new LmFeatureTableModel(this);
    m_proxy = new LmFeatureFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_table = new QTableView(left);
    m_table->setObjectName(QStringLiteral("lmFeatureTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(LmFeatureTableModel::MaxActivation, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(20);
    // Numbers sized to their contents, the logits column to its title at least (it takes the rest).
    TableHeaderFit::install(m_table, {LmFeatureTableModel::Index, LmFeatureTableModel::Density,
                                      LmFeatureTableModel::MaxActivation});
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setToolTip(tr("Every feature of the SAE; click a header to sort, select a row to open its dashboard"));
    leftLayout->addLayout(searchRow);
    leftLayout->addWidget(m_table, 1);

    m_card = new LmFeatureCardView;
    auto* cardScroll = new QScrollArea(this);
    cardScroll->setWidget(m_card);
    cardScroll->setWidgetResizable(true);
    cardScroll->setFrameShape(QFrame::NoFrame);
    m_prompt = new LmPromptView(this);
    m_steering = new LmSteeringView(this);
    m_control = new LmControlView(this);
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(cardScroll, tr("Dashboard"));
    m_tabs->setTabToolTip(DashboardTab, tr("The selected feature's examples, histogram, logit effects and neighbours"));
    m_tabs->addTab(m_prompt, tr("Prompt"));
    m_tabs->setTabToolTip(PromptTab, tr("Type text and see which features fire on each token"));
    m_tabs->addTab(m_steering, tr("Steering"));
    m_tabs->setTabToolTip(SteeringTab, tr("Generate with the selected feature added or clamped, beside the "
                                          "unsteered text"));
    m_tabs->addTab(m_control, tr("Randomized control"));
    m_tabs->setTabToolTip(ControlTab, tr("SAEs on the model and on its shuffled, re-initialised and untrained copies, "
                                         "compared by next-token loss and interpretability proxies"));

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(left);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 7);
    splitter->setSizes({300, 700});
    splitter->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_form);
    layout->addWidget(splitter, 1);

    connect(m_form, &LmSourceForm::scanRequested, this, &LmFeaturesView::startScan);
    connect(m_form, &LmSourceForm::cancelRequested, this, &LmFeaturesView::cancelScan);
    connect(m_form, &LmSourceForm::defaultRequested, this, [this] { startDefaultScan(); });
    // A default model trained earlier is named in the form from the start (Scan shows it).
    if (const QString cache = CacheFolders::defaultLanguageModel(); featurescope::DefaultLanguageModel::ready(cache.toStdString())) {
        const auto paths = featurescope::DefaultLanguageModel::paths(cache.toStdString());
        LmDashboardData::Request r = m_form->request();
        r.modelDir = QString::fromStdString(paths.model);
        r.saeDir = QString::fromStdString(paths.sae);
        r.hook.clear();
        m_form->setRequest(r);
    }
    connect(m_job, &BackgroundJob::progress, this, [this](double fraction, const QString& message) {
        m_form->setProgress(fraction, message);
        Q_EMIT workProgress(fraction, message);
    });
    connect(m_job, &BackgroundJob::finished, this, [this](BackgroundJob::Outcome outcome, const QString& message) {
        m_form->setRunning(false);
        QString done;
        if (outcome == BackgroundJob::Outcome::Failed) {
            m_form->setError(message);
            done = message;
        } else if (outcome == BackgroundJob::Outcome::Cancelled) {
            done = m_data ? tr("Scan cancelled; the features shown are the earlier scan's.") : tr("Scan cancelled.");
            m_form->setStatus(done);
        } else {
            done = m_form->statusText();
        }
        Q_EMIT workFinished(done);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        if (m_syncing || !current.isValid())
            return;
        const QModelIndex source = m_proxy->mapToSource(current);
        if (source.isValid())
            selectFeature(source.row());
    });
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString& text) {
        {
            // Filtering moves the table's current row; that is not a choice of feature.
            const bool syncing = m_syncing;
            m_syncing = true;
            m_proxy->setQuery(text);
            m_syncing = syncing;
        }
        updateSearchNote();
        syncTableSelection();
    });
    connect(m_card, &LmFeatureCardView::featureClicked, this, &LmFeaturesView::selectFeature);
    connect(m_prompt, &LmPromptView::featureClicked, this, [this](int feature) {
        selectFeature(feature);
        showTab(DashboardTab);
    });
    connect(m_control, &LmControlView::runRequested, this, [this] { m_control->start(m_form->request()); });
    connect(m_control, &LmControlView::workStarted, this, &LmFeaturesView::workStarted);
    connect(m_control, &LmControlView::workProgress, this, &LmFeaturesView::workProgress);
    connect(m_control, &LmControlView::workFinished, this, &LmFeaturesView::workFinished);
    updateSearchNote();
    if (auto* panel = qobject_cast<Panel*>(parent)) {
        connect(this, &LmFeaturesView::workStarted, panel, &Panel::workStarted);
        connect(this, &LmFeaturesView::workProgress, panel, &Panel::workProgress);
        connect(this, &LmFeaturesView::workFinished, panel, &Panel::workFinished);
    }
}

LmFeaturesView::~LmFeaturesView() { m_job->abandon(); }

void LmFeaturesView::setRequest(const LmDashboardData::Request& request) { m_form->setRequest(request); }

void LmFeaturesView::startScan() { runScan(m_form->request(), QString()); }

void LmFeaturesView::startDefaultScan(const QString& cacheFolder)
{
    LmDashboardData::Request request = m_form->request();
    request.hook.clear(); // the default SAE names its hook
    runScan(request, cacheFolder.isEmpty() ? CacheFolders::defaultLanguageModel() : cacheFolder);
}

void LmFeaturesView::runScan(const LmDashboardData::Request& scanRequest, const QString& defaultCache)
{
    m_form->setRunning(true);
    m_form->setStatus(tr("Starting…"));
    Q_EMIT workStarted(tr("Scanning language-model features"));
    m_job->start([this, scanRequest, defaultCache](const featurescope::ProgressReporter& progress) {
        QElapsedTimer clock;
        clock.start();
        LmDashboardData::Request request = scanRequest;
        const bool training = !defaultCache.isEmpty() && !featurescope::DefaultLanguageModel::ready(defaultCache.toStdString());
        const featurescope::ProgressReporter trainStage(progress, 0.0, training ? 0.9 : 0.0);
        const featurescope::ProgressReporter scanStage(progress, training ? 0.9 : 0.0, 1.0);
        if (!defaultCache.isEmpty()) {
            if (training)
                progress.report(0.0, "Training the default model and its SAE (once)");
            const auto paths = featurescope::DefaultLanguageModel::ensure(
                QDir(defaultCache).absolutePath().toStdString(), request.corpusPath.toStdString(),
                std::max(1, QThread::idealThreadCount()), &trainStage);
            request.modelDir = QString::fromStdString(paths.model);
            request.saeDir = QString::fromStdString(paths.sae);
        }
        std::shared_ptr<const LmDashboardData> data = LmDashboardData::build(request, scanStage);
        const double seconds = clock.elapsed() / 1000.0;
        m_job->deliver([this, data, seconds, defaultCache] {
            if (!defaultCache.isEmpty())
                m_form->setRequest(data->request());
            setData(data);
            m_scanned = true;
            if (m_pendingSelection >= 0)
                selectFeature(m_pendingSelection);
            m_pendingSelection = -1;
            const auto& d = data->dashboard();
            const QString changed = changedSinceSaved(data->request());
            m_savedSources.reset();
            const QString status = tr("%1 tokens in %2 windows of %3 at %4, %5 features, %6 s%7")
                                  .arg(d.tokensScanned())
                                  .arg(d.windows())
                                  .arg(d.context())
                                  .arg(QString::fromStdString(data->hook().name()))
                                  .arg(data->features())
                                  .arg(seconds, 0, 'f', 1)
                                  .arg(d.truncated() ? tr(" (stopped early: too many active codes to keep)") : QString());
            if (changed.isEmpty())
                m_form->setStatus(status);
            else
                m_form->setError(status + QStringLiteral(". ") + changed);
        });
    });
}

QString LmFeaturesView::changedSinceSaved(const LmDashboardData::Request& scanned) const
{
    if (!m_savedSources)
        return QString();
    const LmDashboardData::Request& saved = *m_savedSources;
    QStringList changed;
    if (!saved.modelChecksum.isEmpty() && saved.modelDir == scanned.modelDir && saved.modelChecksum != scanned.modelChecksum)
        changed << tr("model");
    if (!saved.saeChecksum.isEmpty() && saved.saeDir == scanned.saeDir && saved.saeChecksum != scanned.saeChecksum)
        changed << tr("SAE");
    if (changed.isEmpty())
        return QString();
    return tr("Warning: the %1 files changed since the session was saved (checksums differ); the features shown "
              "may not be the saved ones").arg(changed.join(tr(" and ")));
}

void LmFeaturesView::cancelScan() { m_job->cancel(); }

void LmFeaturesView::waitForScan() { m_job->waitForFinished(); }

bool LmFeaturesView::isBusy() const
{
    return m_job->isRunning() || m_steering->isRunning() || m_control->isRunning();
}

void LmFeaturesView::setData(std::shared_ptr<const LmDashboardData> data)
{
    m_data = std::move(data);
    {
        const bool syncing = m_syncing;
        m_syncing = true;
        m_model->setData(m_data);
        m_syncing = syncing;
    }
    m_prompt->setData(m_data);
    m_steering->setData(m_data);
    updateSearchNote();
    int first = -1;
    if (m_data && m_proxy->rowCount() > 0)
        first = m_proxy->mapToSource(m_proxy->index(0, 0)).row();
    m_selected = -2; // force a refresh
    selectFeature(first);
}

void LmFeaturesView::selectFeature(int feature)
{
    if (!m_data || feature < 0 || feature >= m_data->features())
        feature = -1;
    if (feature == m_selected)
        return;
    m_selected = feature;
    m_card->setFeature(m_data, feature);
    m_prompt->setFeature(feature);
    if (feature >= 0)
        m_steering->setFeature(feature);
    syncTableSelection();
}

void LmFeaturesView::setSearch(const QString& text) { m_search->setText(text); }

void LmFeaturesView::showTab(Tab tab) { m_tabs->setCurrentIndex(tab); }

void LmFeaturesView::syncTableSelection()
{
    const bool syncing = m_syncing;
    m_syncing = true;
    const QModelIndex proxyIndex = m_selected >= 0 ? m_proxy->mapFromSource(m_model->index(m_selected, 0)) : QModelIndex();
    if (proxyIndex.isValid()) {
        m_table->selectionModel()->setCurrentIndex(proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_table->scrollTo(proxyIndex, QAbstractItemView::EnsureVisible);
    } else {
        m_table->selectionModel()->clearSelection();
    }
    m_syncing = syncing;
}

void LmFeaturesView::updateSearchNote()
{
    m_searchNote->setText(m_data ? tr("%1 of %2").arg(m_proxy->rowCount()).arg(m_model->rowCount()) : QString());
}

// ---- sessions ---------------------------------------------------------------------------------------------------

nlohmann::json LmFeaturesView::saveState() const
{
    const LmDashboardData::Request r = m_scanned && m_data ? m_data->request() : m_form->request();
    return {{"model", r.modelDir.toStdString()},
            {"sae", r.saeDir.toStdString()},
            {"corpus", r.corpusPath.toStdString()},
            {"hook", r.hook.toStdString()},
            {"tokens", r.tokens},
            {"model_checksum", r.modelChecksum.toStdString()},
            {"sae_checksum", r.saeChecksum.toStdString()},
            {"scanned", m_scanned && m_data != nullptr},
            {"selected_feature", m_selected},
            {"search", m_search->text().toStdString()},
            {"tab", m_tabs->currentIndex()},
            {"steer_prompt", m_steering->prompt().toStdString()},
            {"steer_strength", m_steering->strength()},
            {"steer_clamp", m_steering->clamp()},
            {"steer_seed", m_steering->seed()},
            {"control", m_control->saveState()}};
}

LmFeaturesView::State LmFeaturesView::readState(const nlohmann::json& j)
{
    using featurescope::InputError;
    State state;
    state.request.corpusPath = QString::fromLatin1(featurescope::TextCorpus::kDefaultPath);
    state.steerPrompt = QStringLiteral("The meaning of life is");
    if (j.is_null())
        return state;
    if (!j.is_object())
        throw InputError("features panel state: lm is not an object");
    auto text = [&](const char* key, QString& out) {
        if (const auto it = j.find(key); it != j.end()) {
            if (!it->is_string() || it->get<std::string>().size() > 4096)
                throw InputError(std::string("features panel state: lm.") + key + " is not a short string");
            out = QString::fromStdString(it->get<std::string>());
        }
    };
    auto integer = [&](const char* key, long long min, long long max, long long fallback) {
        const auto it = j.find(key);
        if (it == j.end())
            return fallback;
        if (!it->is_number_integer() || it->get<long long>() < min || it->get<long long>() > max)
            throw InputError(std::string("features panel state: lm.") + key + " is not an integer in range");
        return it->get<long long>();
    };
    auto flag = [&](const char* key) {
        const auto it = j.find(key);
        if (it != j.end() && !it->is_boolean())
            throw InputError(std::string("features panel state: lm.") + key + " is not true or false");
        return it != j.end() && it->get<bool>();
    };
    text("model", state.request.modelDir);
    text("sae", state.request.saeDir);
    text("corpus", state.request.corpusPath);
    text("hook", state.request.hook);
    text("model_checksum", state.request.modelChecksum);
    text("sae_checksum", state.request.saeChecksum);
    text("search", state.search);
    text("steer_prompt", state.steerPrompt);
    state.request.tokens = std::uint64_t(integer("tokens", 64, 4'000'000, 16384));
    state.scanned = flag("scanned");
    state.clamp = flag("steer_clamp");
    state.selected = int(integer("selected_feature", -1, 1 << 24, -1));
    state.tab = int(integer("tab", DashboardTab, ControlTab, DashboardTab));
    state.seed = int(integer("steer_seed", 0, 1'000'000, 0));
    if (const auto it = j.find("steer_strength"); it != j.end()) {
        if (!it->is_number() || !std::isfinite(it->get<double>()) || std::abs(it->get<double>()) > 10000.0)
            throw InputError("features panel state: lm.steer_strength is not a strength");
        state.strength = it->get<double>();
    }
    if (const auto it = j.find("control"); it != j.end())
        state.control = LmControlView::readState(*it);
    return state;
}

void LmFeaturesView::restoreState(const State& state)
{
    m_form->setRequest(state.request);
    m_search->setText(state.search);
    m_tabs->setCurrentIndex(state.tab);
    m_steering->setPrompt(state.steerPrompt);
    m_steering->setStrength(state.strength);
    m_steering->setClamp(state.clamp);
    m_steering->setSeed(state.seed);
    m_control->restoreState(state.control);
    if (state.scanned) {
        m_savedSources = state.request;
        m_pendingSelection = state.selected;
        startScan();
    }
}

// ---- figures ----------------------------------------------------------------------------------------------------

QStringList LmFeaturesView::figureNames()
{
    return {QStringLiteral("feature-dashboard"), QStringLiteral("feature-histogram"), QStringLiteral("logit-effects"),
            QStringLiteral("prompt"), QStringLiteral("steering"), QStringLiteral("lm-control")};
}

QWidget* LmFeaturesView::figureWidget(const QString& name)
{
    if (name == QLatin1String("feature-histogram"))
        return m_card->histogramPlot();
    if (name == QLatin1String("logit-effects"))
        return m_card->logitPlot();
    if (name == QLatin1String("lm-control"))
        return m_control->plot();
    QWidget* copy = nullptr;
    if (name == QLatin1String("feature-dashboard")) {
        auto* card = new LmFeatureCardView;
        card->setFeature(m_data, m_selected);
        copy = card;
    } else if (name == QLatin1String("prompt")) {
        auto* prompt = new LmPromptView;
        prompt->setPrompt(m_prompt->prompt());
        prompt->setData(m_data);
        prompt->waitForEncoding();
        prompt->setFeature(m_selected);
        copy = prompt;
    } else if (name == QLatin1String("steering")) {
        copy = m_steering->copy();
    }
    if (!copy)
        return nullptr;
    m_exportCopies[name].reset(copy);
    return copy;
}

void LmFeaturesView::prepareForRender(const QString& figure)
{
    waitForScan();
    if (figure == QLatin1String("lm-control")) {
        m_control->waitForFinished(); // restored results are drawn as saved, never run again here
        showTab(ControlTab);
        return;
    }
    if (figure == QLatin1String("steering") && m_data && m_steering->steeredText().isEmpty()) {
        m_steering->generate();
        m_steering->waitForFinished();
    }
    m_prompt->waitForEncoding();
    if (figure == QLatin1String("prompt"))
        showTab(PromptTab);
    else if (figure == QLatin1String("steering"))
        showTab(SteeringTab);
    else
        showTab(DashboardTab);
}

QString LmFeaturesView::figureCaption(const QString& figure) const
{
    if (figure == QLatin1String("lm-control")) {
        if (m_control->results().empty()) {
            const LmDashboardData::Request r = m_data ? m_data->request() : m_form->request();
            const QString hook = m_data ? QString::fromStdString(m_data->hook().name()) : r.hook;
            return tr("Randomized-transformer control of %1 at %2: not run").arg(r.modelDir, hook);
        }
        QStringList scores;
        for (const auto& r : m_control->results())
            scores << tr("%1 %2").arg(LmControlView::armLabel(r.arm)).arg(r.ceLossScore, 0, 'f', 3);
        return tr("SAEs on %1 and its randomized copies; ce_loss_score: %2").arg(m_control->source(), scores.join(tr(", ")));
    }
    if (!m_data)
        return tr("Language-model features: nothing scanned");
    const LmDashboardData::Request& r = m_data->request();
    QString caption = tr("SAE %1 (%2 features) at %3 of %4, %5 tokens of %6")
                          .arg(r.saeDir)
                          .arg(m_data->features())
                          .arg(QString::fromStdString(m_data->hook().name()))
                          .arg(r.modelDir)
                          .arg(m_data->dashboard().tokensScanned())
                          .arg(r.corpusPath);
    if (figure != QLatin1String("prompt") && m_selected >= 0)
        caption = tr("Feature %1 · %2").arg(m_selected).arg(caption);
    if (figure == QLatin1String("steering"))
        caption += tr("\nSteering strength %1%2, seed %3").arg(m_steering->strength()).arg(m_steering->clamp() ? tr(" (clamped)") : QString()).arg(m_steering->seed());
    return caption;
}
