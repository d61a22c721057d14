#include "LmFeaturesView.h"

#include "LmFeatureCardView.h"
#include "LmFeatureFilterProxyModel.h"
#include "LmFeatureTableModel.h"
#include "LmPromptView.h"
#include "LmSourceForm.h"
#include "LmSteeringView.h"
#include "common/BackgroundJob.h"

#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

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
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(LmFeatureTableModel::TopLogits, QHeaderView::Stretch);
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
    m_tabs = new QTabWidget(this);
    m_tabs->addTab(cardScroll, tr("Dashboard"));
    m_tabs->setTabToolTip(DashboardTab, tr("The selected feature's examples, histogram, logit effects and neighbours"));
    m_tabs->addTab(m_prompt, tr("Prompt"));
    m_tabs->setTabToolTip(PromptTab, tr("Type text and see which features fire on each token"));
    m_tabs->addTab(m_steering, tr("Steering"));
    m_tabs->setTabToolTip(SteeringTab, tr("Generate with the selected feature added or clamped, beside the "
                                          "unsteered text"));

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
        m_proxy->setQuery(text);
        updateSearchNote();
        syncTableSelection();
    });
    connect(m_card, &LmFeatureCardView::featureClicked, this, &LmFeaturesView::selectFeature);
    connect(m_prompt, &LmPromptView::featureClicked, this, [this](int feature) {
        selectFeature(feature);
        showTab(DashboardTab);
    });
    updateSearchNote();
}

LmFeaturesView::~LmFeaturesView() { m_job->abandon(); }

void LmFeaturesView::setRequest(const LmDashboardData::Request& request) { m_form->setRequest(request); }

void LmFeaturesView::startScan()
{
    const LmDashboardData::Request request = m_form->request();
    m_form->setRunning(true);
    m_form->setStatus(tr("Starting…"));
    Q_EMIT workStarted(tr("Scanning language-model features"));
    m_job->start([this, request](const featurescope::ProgressReporter& progress) {
        QElapsedTimer clock;
        clock.start();
        std::shared_ptr<const LmDashboardData> data = LmDashboardData::build(request, progress);
        const double seconds = clock.elapsed() / 1000.0;
        m_job->deliver([this, data, seconds] {
            setData(data);
            const auto& d = data->dashboard();
            m_form->setStatus(tr("%1 tokens in %2 windows of %3 at %4, %5 features, %6 s%7")
                                  .arg(d.tokensScanned())
                                  .arg(d.windows())
                                  .arg(d.context())
                                  .arg(QString::fromStdString(data->hook().name()))
                                  .arg(data->features())
                                  .arg(seconds, 0, 'f', 1)
                                  .arg(d.truncated() ? tr(" (stopped early: too many active codes to keep)") : QString()));
        });
    });
}

void LmFeaturesView::cancelScan() { m_job->cancel(); }

void LmFeaturesView::waitForScan() { m_job->waitForFinished(); }

bool LmFeaturesView::isBusy() const { return m_job->isRunning() || m_steering->isRunning(); }

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
